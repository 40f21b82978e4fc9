using MLNetClip.Data.Loading;

namespace MLNetClip.Pretraining.Training;

/// <summary>The loader's batches epoch after epoch, from a saved position, for as long as the run asks.</summary>
internal static class BatchStream
{
    /// <summary>
    /// Batches from batch <paramref name="batchInEpoch"/> of <paramref name="epoch"/> on; each epoch
    /// is reshuffled by the loader. Fails if a whole epoch yields no full batch.
    /// </summary>
    /// With <paramref name="batchesPerEpoch"/>, an epoch ends after that many batches (data-parallel
    /// ranks whose shares differ by a sample must still step together).
    public static IEnumerable<LoaderBatch> From(ImageTextLoader loader, int epoch, int batchInEpoch, int? batchesPerEpoch = null)
    {
        for (var start = batchInEpoch; ; epoch++, start = 0)
        {
            var any = false;
            if (start < (batchesPerEpoch ?? int.MaxValue))
                foreach (var batch in loader.ReadEpoch(epoch, start))
                {
                    if (batch.Index >= (batchesPerEpoch ?? int.MaxValue))
                    {
                        batch.Dispose();
                        break;
                    }
                    any = true;
                    yield return batch;
                }
            if (!any && start == 0)
                throw new InvalidDataException(
                    $"{loader.Source.Description} gave no full batch of {loader.Options.BatchSize} in epoch {epoch}; " +
                    "use a smaller --batch-size or more data");
        }
    }
}
