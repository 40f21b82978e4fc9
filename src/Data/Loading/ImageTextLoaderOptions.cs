using MLNetClip.Data.Images;
using MLNetClip.Data.Text;

namespace MLNetClip.Data.Loading;

/// <summary>
/// Settings of an <see cref="ImageTextLoader"/>, checked when the loader is constructed. A bad
/// value fails there with the option's name and its allowed range, before any thread starts.
/// Only <see cref="Seed"/>, <see cref="Shuffle"/>, <see cref="BatchSize"/>, <see cref="DropLast"/>,
/// <see cref="Rank"/>, <see cref="WorldSize"/> and <see cref="ShuffleBuffer"/> decide which
/// samples land in which batch; <see cref="Workers"/> and <see cref="PrefetchBatches"/> change
/// speed only.
/// </summary>
public sealed class ImageTextLoaderOptions
{
    /// <summary>The most batches a loader keeps decoded or in progress ahead of the consumer.</summary>
    public const int MaxPrefetchBatches = SampleLanes.Count;

    /// <summary>Samples per batch, 1 to 65536. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Worker threads that decode, augment and tokenise, 1 to 64, at most <see cref="PrefetchBatches"/>. Default 2.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>
    /// Batches decoded or being decoded ahead of the consumer (the bounded queue), from
    /// <see cref="Workers"/> to <see cref="MaxPrefetchBatches"/>. Default 4.
    /// </summary>
    public int PrefetchBatches { get; init; } = 4;

    /// <summary>Output height and width in pixels, 1 to 8192. Default 224. Ignored when <see cref="Preprocessing"/> is given.</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>Training (RandomResizedCrop) or evaluation (resize, centre crop). Ignored when <see cref="Preprocessing"/> is given.</summary>
    public ImagePreprocessMode Mode { get; init; } = ImagePreprocessMode.Evaluation;

    /// <summary>Full preprocessing settings, overriding <see cref="ImageSize"/> and <see cref="Mode"/>.</summary>
    public ImagePreprocessorOptions? Preprocessing { get; init; }

    /// <summary>Token ids per caption, 2 or more. Default 77.</summary>
    public int ContextLength { get; init; } = ClipTokenizer.DefaultContextLength;

    /// <summary>The tokenizer; <see cref="ClipTokenizer.Default"/> when null.</summary>
    public ClipTokenizer? Tokenizer { get; init; }

    /// <summary>Seeds the per-epoch order and every sample's augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>Reshuffle every epoch (default). Off: stored order (shards still split across ranks).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Streamed sources (tar shards): samples held in the shuffle buffer that mixes samples
    /// across neighbouring shard positions, 0 (off) to 1,000,000. Default 1000.
    /// Indexed sources (manifests, folders) are shuffled exactly and ignore it.
    /// </summary>
    public int ShuffleBuffer { get; init; } = 1000;

    /// <summary>Leave out the last batch of an epoch when it is short. Default false.</summary>
    public bool DropLast { get; init; }

    /// <summary>This process's data-parallel rank, 0 to <see cref="WorldSize"/> − 1.</summary>
    public int Rank { get; init; }

    /// <summary>Data-parallel processes sharing the data, 1 to 65536.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>
    /// Largest tolerated share of skipped samples, 0 to 1. Above it the run stops with a
    /// <see cref="SkipRateExceededException"/>. Default 0.1.
    /// </summary>
    public double MaxSkipRate { get; init; } = 0.1;

    /// <summary>
    /// Samples tried before the skip rate is judged mid-epoch, 1 or more (default 200), so a bad
    /// first file does not stop a healthy run. The rate is always judged at the end of an epoch.
    /// </summary>
    public int SkipRateMinSamples { get; init; } = 200;

    /// <summary>Skip reasons kept for the report, 0 to 100,000 (default 20); later ones are only counted.</summary>
    public int KeptSkipReasons { get; init; } = 20;

    internal ImagePreprocessorOptions ResolvePreprocessing() =>
        Preprocessing ?? new ImagePreprocessorOptions { Size = ImageSize, Mode = Mode };

    internal void Validate()
    {
        Check(BatchSize is >= 1 and <= 65536, nameof(BatchSize), BatchSize, "1 to 65536");
        Check(Workers is >= 1 and <= 64, nameof(Workers), Workers, "1 to 64");
        Check(PrefetchBatches >= Workers && PrefetchBatches <= MaxPrefetchBatches, nameof(PrefetchBatches), PrefetchBatches,
            $"Workers ({Workers}) to {MaxPrefetchBatches}, so that every worker has a batch to fill");
        Check(ImageSize is >= 1 and <= 8192, nameof(ImageSize), ImageSize, "1 to 8192");
        Check(Enum.IsDefined(Mode), nameof(Mode), Mode, "Evaluation or Training");
        Check(ContextLength is >= 2 and <= 1 << 20, nameof(ContextLength), ContextLength, "2 to 1048576");
        Check(ShuffleBuffer is >= 0 and <= 1_000_000, nameof(ShuffleBuffer), ShuffleBuffer, "0 to 1000000");
        Check(WorldSize is >= 1 and <= 65536, nameof(WorldSize), WorldSize, "1 to 65536");
        Check(Rank >= 0 && Rank < WorldSize, nameof(Rank), Rank, $"0 to WorldSize - 1 ({WorldSize - 1})");
        Check(MaxSkipRate is >= 0 and <= 1, nameof(MaxSkipRate), MaxSkipRate, "0 to 1");
        Check(SkipRateMinSamples >= 1, nameof(SkipRateMinSamples), SkipRateMinSamples, "1 or more");
        Check(KeptSkipReasons is >= 0 and <= 100_000, nameof(KeptSkipReasons), KeptSkipReasons, "0 to 100000");
        try
        {
            // Builds a throwaway preprocessor only to run its own checks under our option's name.
            _ = new ImagePreprocessor(ResolvePreprocessing());
        }
        catch (ArgumentException e)
        {
            throw new ArgumentOutOfRangeException(nameof(Preprocessing), $"ImageTextLoaderOptions.Preprocessing: {e.Message}");
        }
    }

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"ImageTextLoaderOptions.{name} must be {range}; got {value}.");
    }
}
