namespace MLNetClip.Reports.Pictures;

/// <summary>
/// A patch mask drawn on the picture it was drawn for (mask: 0 = keep, 1 = remove): kept patches
/// are left exactly as they are; removed ones are darkened and hatched with thin diagonal lines,
/// so they read as "gone" in colour and in greyscale alike. Any strategy's mask draws the same
/// way (random now, attention-guided later), so pictures of different strategies compare directly.
/// </summary>
public static class MaskPicture
{
    /// <summary>A removed pixel keeps this share of its brightness.</summary>
    public const double Dimming = 0.3;

    /// <summary>Hatch lines run where (x + y) is a multiple of this, on removed patches only.</summary>
    public const int HatchSpacing = 6;

    /// <summary>The colour of the hatch lines.</summary>
    public static readonly (byte R, byte G, byte B) HatchColor = (170, 170, 170);

    /// <summary>The picture with each patch whose mask value is 1 darkened and hatched; values must be 0 or 1.</summary>
    public static RgbImage Draw(RgbImage picture, PatchMap mask)
    {
        ArgumentNullException.ThrowIfNull(picture);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Values.Any(v => v is not (0 or 1)))
            throw new ArgumentException("a patch mask holds only 0 (keep) and 1 (remove)", nameof(mask));
        var result = picture.Clone();
        for (var y = 0; y < picture.Height; y++)
            for (var x = 0; x < picture.Width; x++)
            {
                var (row, col) = mask.PatchAt(x, y, picture.Width, picture.Height);
                if (mask[row, col] == 0) continue;
                result[x, y] = Removed(picture[x, y], x, y);
            }
        return result;
    }

    /// <summary>What a removed pixel at (x, y) becomes.</summary>
    public static (byte R, byte G, byte B) Removed((byte R, byte G, byte B) pixel, int x, int y) =>
        (x + y) % HatchSpacing == 0 ? HatchColor : (Dim(pixel.R), Dim(pixel.G), Dim(pixel.B));

    private static byte Dim(byte v) => (byte)Math.Round(v * Dimming, MidpointRounding.AwayFromZero);
}
