namespace MLNetClip.Data.Images;

public enum ImagePreprocessMode
{
    /// <summary>Resize the shorter side to <see cref="ImagePreprocessorOptions.Size"/> (bicubic), then centre-crop.</summary>
    Evaluation,

    /// <summary>RandomResizedCrop to <see cref="ImagePreprocessorOptions.Size"/>, optionally a horizontal flip.</summary>
    Training,
}

/// <summary>Settings of an <see cref="ImagePreprocessor"/>; checked when the preprocessor is built.</summary>
public sealed class ImagePreprocessorOptions
{
    /// <summary>Output height and width in pixels. 1 to 8192.</summary>
    public int Size { get; init; } = 224;

    public ImagePreprocessMode Mode { get; init; } = ImagePreprocessMode.Evaluation;

    /// <summary>Training: smallest crop area as a fraction of the image. open_clip's default is 0.9.</summary>
    public double MinScale { get; init; } = 0.9;

    /// <summary>Training: largest crop area as a fraction of the image, at most 1.</summary>
    public double MaxScale { get; init; } = 1.0;

    /// <summary>Training: smallest crop aspect ratio (width / height).</summary>
    public double MinRatio { get; init; } = 3.0 / 4.0;

    /// <summary>Training: largest crop aspect ratio (width / height).</summary>
    public double MaxRatio { get; init; } = 4.0 / 3.0;

    /// <summary>
    /// Training: mirror half of the crops. Off by default like open_clip, since captions
    /// can say "left" and "right".
    /// </summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>
    /// Training: three views per image instead of one (<see cref="CoveringViews"/>: two crops over
    /// the scale range and a zoomed-out one covering both, as A-CLIP feeds its online and EMA encoders).
    /// The image is decoded once for all three; views are never flipped (the crop boxes map the EMA's
    /// attention onto the online views). Off by default.
    /// </summary>
    public bool CoveringViews { get; init; }

    /// <summary>With <see cref="CoveringViews"/>: colour-jitter and sometimes grey the two online views (<see cref="ColourJitter"/>); the cover never. Default true.</summary>
    public bool JitterOnlineViews { get; init; } = true;

    public ImageNormalization Normalization { get; init; } = ImageNormalization.Clip;

    /// <summary>Decoding settings. <see cref="AlphaHandling.Keep"/> is not allowed here: the output is RGB.</summary>
    public ImageDecodeOptions Decode { get; init; } = ImageDecodeOptions.Default;

    /// <summary>Images decoded at once by the batch methods. 1 keeps everything on the caller's thread.</summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    internal void Validate()
    {
        if (Size is < 1 or > 8192) throw new ArgumentOutOfRangeException(nameof(Size), Size, "Size must be 1 to 8192.");
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Mode must be Evaluation or Training.");
        if (!(MinScale > 0) || !(MaxScale <= 1) || MinScale > MaxScale)
            throw new ArgumentOutOfRangeException(nameof(MinScale), $"need 0 < MinScale <= MaxScale <= 1, got {MinScale} and {MaxScale}.");
        if (!(MinRatio > 0) || !double.IsFinite(MaxRatio) || MinRatio > MaxRatio)
            throw new ArgumentOutOfRangeException(nameof(MinRatio), $"need 0 < MinRatio <= MaxRatio, got {MinRatio} and {MaxRatio}.");
        if (CoveringViews && Mode != ImagePreprocessMode.Training)
            throw new ArgumentOutOfRangeException(nameof(CoveringViews), "CoveringViews needs Mode = Training (the views are random crops).");
        ArgumentNullException.ThrowIfNull(Normalization, nameof(Normalization));
        ArgumentNullException.ThrowIfNull(Decode, nameof(Decode));
        Decode.Validate();
        if (Decode.Alpha == AlphaHandling.Keep)
            throw new ArgumentOutOfRangeException(nameof(Decode), "Decode.Alpha must be Composite or Discard for preprocessing, which outputs RGB.");
        if (MaxDegreeOfParallelism < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be at least 1.");
    }
}
