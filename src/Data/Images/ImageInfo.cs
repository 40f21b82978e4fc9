namespace MLNetClip.Data.Images;

public enum ImageFormat
{
    Jpeg = 1,
    Png = 2,
}

/// <summary>What an image's header says, read without decoding pixels.</summary>
/// <param name="Format">JPEG or PNG, from the leading bytes.</param>
/// <param name="Width">Stored width, before any EXIF orientation.</param>
/// <param name="Height">Stored height, before any EXIF orientation.</param>
/// <param name="Channels">Samples per pixel as stored: 1 grey or palette, 2 grey+alpha, 3 RGB/YCbCr, 4 RGBA or CMYK.</param>
/// <param name="BitsPerSample">1, 2, 4, 8 or 16.</param>
/// <param name="ExifOrientation">The JPEG EXIF orientation, 1 (upright) to 8; 1 when absent.</param>
public sealed record ImageInfo(ImageFormat Format, int Width, int Height, int Channels, int BitsPerSample, int ExifOrientation)
{
    /// <summary>True when applying the orientation swaps width and height (values 5 to 8).</summary>
    public bool OrientationSwapsAxes => ExifOrientation >= 5;

    /// <summary>Width and height as shown, with or without applying the orientation.</summary>
    public (int Width, int Height) DisplaySize(bool applyOrientation) =>
        applyOrientation && OrientationSwapsAxes ? (Height, Width) : (Width, Height);
}
