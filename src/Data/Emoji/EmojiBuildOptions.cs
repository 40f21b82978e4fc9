namespace MLNetClip.Data.Emoji;

/// <summary>Options for <see cref="EmojiBenchmarkBuilder"/>; checked before any work starts.</summary>
public sealed class EmojiBuildOptions
{
    /// <summary>The folder the benchmark is written to (required).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Where the npm tarballs are kept between builds; defaults to <see cref="NpmPackageCache.DefaultDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Seeds the held-out concept choice and the caption tags.</summary>
    public int Seed { get; init; }

    /// <summary>The share of non-flag concepts held out as unseen, in [0, 1). Default 0.2.</summary>
    public double HeldOutFraction { get; init; } = 0.2;

    /// <summary>
    /// The share of non-flag concepts set aside for validation (splits val and val-both), taken
    /// from what is not held out; in [0, 1) with the held-out share below 1. Default 0.1.
    /// </summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Tag-based caption variants per training picture, besides the annotation, 0 to 8. Default 2.</summary>
    public int CaptionVariants { get; init; } = 2;

    /// <summary>Concurrent rsvg-convert processes; defaults to the processor count.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The side of every image in pixels; the PNG sets ship at 64, so that is what OpenMoji is rendered at.</summary>
    public const int ImageSize = 64;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory))
            throw new ArgumentException("EmojiBuildOptions.OutputDirectory must name a folder");
        if (HeldOutFraction is < 0 or >= 1 || double.IsNaN(HeldOutFraction))
            throw new ArgumentOutOfRangeException(nameof(HeldOutFraction), HeldOutFraction, "HeldOutFraction must be in [0, 1)");
        if (ValidationFraction is < 0 or >= 1 || double.IsNaN(ValidationFraction))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1)");
        if (HeldOutFraction + ValidationFraction >= 1)
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction,
                $"HeldOutFraction ({HeldOutFraction}) + ValidationFraction must stay below 1 so that some concepts are trained on");
        if (CaptionVariants is < 0 or > 8)
            throw new ArgumentOutOfRangeException(nameof(CaptionVariants), CaptionVariants, "CaptionVariants must be in 0..8");
        if (Parallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "Parallelism must be at least 1");
    }
}
