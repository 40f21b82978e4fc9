namespace MLNetClip.Data.Images;

/// <summary>Decoded 8-bit pixels: rows of <see cref="Width"/> × <see cref="Channels"/> bytes, no padding.</summary>
public sealed class DecodedImage
{
    public DecodedImage(byte[] pixels, int width, int height, int channels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"size {width} x {height} is empty");
        if (channels is not (3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 3 (RGB) or 4 (RGBA)");
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException($"{pixels.LongLength} bytes do not hold {width} x {height} x {channels}", nameof(pixels));
        Pixels = pixels;
        Width = width;
        Height = height;
        Channels = channels;
    }

    /// <summary>Interleaved RGB or RGBA samples, top row first.</summary>
    public byte[] Pixels { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>3 for RGB, 4 for RGBA (only when alpha was kept).</summary>
    public int Channels { get; }

    public ReadOnlySpan<byte> Row(int y) =>
        (uint)y < (uint)Height
            ? Pixels.AsSpan(y * Width * Channels, Width * Channels)
            : throw new ArgumentOutOfRangeException(nameof(y), y, $"row must be in 0..{Height - 1}");
}
