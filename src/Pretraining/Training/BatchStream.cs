using MLNetClip.Data.Loading;

namespace MLNetClip.Pretraining.Training;

/// <summary>The loader's batches epoch after epoch, from a saved position, for as long as the run asks.</summary>
internal static class BatchStream
{
    /// <summary>
    /// Batches from batch <paramref name="batchInEpoch"/> of <paramref name="epoch"/> on; each epoch
    /// is reshuffled by the loader. Fails if a whole epoch yields no full batch.
    /// </summary>
    public static IEnumerable<LoaderBatch> From(ImageTextLoader loader, int epoch, int batchInEpoch)
    {
        for (var start = batchInEpoch; ; epoch++, start = 0)
        {
            var any = false;
            foreach (var batch in loader.ReadEpoch(epoch, start))
            {
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
