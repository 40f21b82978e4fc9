namespace MLNetClip.Data.Images;

/// <summary>What to do with an alpha channel (PNG colour types with alpha, or a tRNS chunk).</summary>
public enum AlphaHandling
{
    /// <summary>Blend onto <see cref="ImageDecodeOptions.Background"/>: round((c·a + bg·(255 − a)) / 255).</summary>
    Composite = 0,

    /// <summary>Return RGBA when the image has alpha (decoding only; preprocessing composites).</summary>
    Keep = 1,

    /// <summary>Drop alpha and keep the stored colour, as Pillow's <c>convert("RGB")</c> does.</summary>
    Discard = 2,
}

/// <summary>How encoded JPEG and PNG files are turned into 8-bit RGB pixels.</summary>
public sealed class ImageDecodeOptions
{
    /// <summary>The decompression-bomb limit used unless configured otherwise: 100 megapixels.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>
    /// Images whose header claims more pixels than this are refused before any pixel buffer
    /// is allocated. Zero or less disables the check.
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    public AlphaHandling Alpha { get; init; } = AlphaHandling.Composite;

    /// <summary>Background for <see cref="AlphaHandling.Composite"/>, as 0xRRGGBB. White by default.</summary>
    public int Background { get; init; } = 0xFFFFFF;

    /// <summary>
    /// Treat every libjpeg warning (for example stray bytes between markers) as an error.
    /// Off by default: like Pillow, only truncation and real errors are refused.
    /// </summary>
    public bool StrictJpeg { get; init; }

    /// <summary>Accept truncated JPEG data, keeping libjpeg's grey fill for the missing part.</summary>
    public bool AllowTruncatedJpeg { get; init; }

    /// <summary>
    /// Rotate or mirror JPEGs as their EXIF orientation tag says. Off by default because
    /// the reference CLIP pipelines (Pillow + torchvision) ignore the tag.
    /// </summary>
    public bool ApplyExifOrientation { get; init; }

    /// <summary>
    /// Decoding only: reduce JPEGs in the DCT domain (by n/8) as far as the shorter side stays
    /// at least this long. Zero decodes at full size. Preprocessing picks its own reduction.
    /// </summary>
    public int MinShortSide { get; init; }

    /// <summary>
    /// Preprocessing only: let JPEGs be reduced in the DCT domain when the output is much
    /// smaller than the source. Faster; pixels then differ slightly from a full-size decode.
    /// </summary>
    public bool DctScaling { get; init; } = true;

    internal void Validate()
    {
        if (!Enum.IsDefined(Alpha))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be Composite, Keep or Discard.");
        if (Background is < 0 or > 0xFFFFFF)
            throw new ArgumentOutOfRangeException(nameof(Background), Background, "Background must be 0xRRGGBB, 0 to 0xFFFFFF.");
        if (MinShortSide < 0)
            throw new ArgumentOutOfRangeException(nameof(MinShortSide), MinShortSide, "MinShortSide must be 0 or more.");
    }

    // The int64_t[MLC_IMAGE_OPTION_COUNT] layout of mlc_image.h.
    internal void WriteNative(Span<long> raw)
    {
        raw[0] = MaxPixels;
        raw[1] = (long)Alpha;
        raw[2] = Background;
        raw[3] = (StrictJpeg ? 1 : 0) | (AllowTruncatedJpeg ? 2 : 0) | (ApplyExifOrientation ? 4 : 0) | (DctScaling ? 0 : 8);
        raw[4] = MinShortSide;
    }

    internal const int NativeLength = 5;
}
