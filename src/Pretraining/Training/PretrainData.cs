using MLNetClip.Data.Datasets;
using MLNetClip.Data.Images;
using MLNetClip.Data.Loading;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;

namespace MLNetClip.Pretraining.Training;

/// <summary>The loader a run reads through, set from the options and the preset's sizes.</summary>
internal static class PretrainData
{
    /// <summary>
    /// Full batches only (the last short one of an epoch is dropped, as open_clip does), every
    /// epoch reshuffled, each sample augmented from (seed, epoch, sample).
    /// </summary>
    /// <paramref name="rank"/> of <paramref name="worldSize"/> reads its share (batchSize rows each).
    public static ImageTextLoader Loader(IImageTextSource source, PretrainOptions o, ClipOptions model, int rank = 0, int worldSize = 1) =>
        new(source, new ImageTextLoaderOptions
        {
            BatchSize = o.BatchSize,
            Workers = o.Workers,
            PrefetchBatches = Math.Max(o.Workers, 4),
            ImageSize = model.Vision.ImageSize,
            Mode = o.RandomCrop ? ImagePreprocessMode.Training : ImagePreprocessMode.Evaluation,
            // A-CLIP's three views are cut here, with their boxes, from one decode of each image.
            Preprocessing = PretrainingMethods.NeedsCoveringViews(o.Method)
                ? new ImagePreprocessorOptions
                {
                    Size = model.Vision.ImageSize, Mode = ImagePreprocessMode.Training, CoveringViews = true,
                    MinScale = o.AClip.CropMinScale, MaxScale = o.AClip.CropMaxScale,
                }
                : null,
            ContextLength = model.Text.ContextLength,
            Seed = o.Seed,
            DropLast = true,
            Rank = rank,
            WorldSize = worldSize,
        });

    /// <summary>
    /// Records in the source: counted from the index for manifests and folders, by reading every
    /// shard once for streamed sources (only when an epoch count needs it).
    /// </summary>
    public static long Count(IImageTextSource source) =>
        source is IIndexedImageTextSource indexed ? indexed.Count : source.ReadAll().LongCount();

    public static DataDescription Describe(IImageTextSource source) => new()
    {
        Source = source.Description,
        Samples = source is IIndexedImageTextSource indexed ? indexed.Count : null,
    };
}
