using MLNetClip.Data.Images;
using MLNetClip.Torch;

namespace MLNetClip.Reports.Pictures;

/// <summary>A small managed 8-bit RGB picture, top row first, for drawing report figures.</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height) : this(width, height, new byte[checked(width * height * 3)])
    {
    }

    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"size {width} x {height} is empty");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 3)
            throw new ArgumentException($"{pixels.LongLength} bytes do not hold {width} x {height} RGB pixels", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Interleaved R, G, B bytes, rows without padding.</summary>
    public byte[] Pixels { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = Offset(x, y);
            return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
        set
        {
            var i = Offset(x, y);
            (Pixels[i], Pixels[i + 1], Pixels[i + 2]) = value;
        }
    }

    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    /// <summary>An RGB copy of decoded pixels; RGBA is composited over white.</summary>
    public static RgbImage From(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new RgbImage(image.Width, image.Height);
        var n = image.Width * image.Height;
        for (var p = 0; p < n; p++)
            for (var c = 0; c < 3; c++)
            {
                var v = image.Pixels[p * image.Channels + c];
                if (image.Channels == 4)
                {
                    var alpha = image.Pixels[p * 4 + 3];
                    v = (byte)((v * alpha + 255 * (255 - alpha) + 127) / 255);
                }
                result.Pixels[p * 3 + c] = v;
            }
        return result;
    }

    /// <summary>
    /// A picture from one image tensor [3, H, W] holding values in [0, 1] (not CLIP-normalised);
    /// values are rounded to the nearest of 256 levels and clamped.
    /// </summary>
    public static RgbImage FromTensor(Tensor chw)
    {
        if (chw.Dim != 3 || chw.Size(0) != 3) throw new ArgumentException($"expected an image [3, H, W], got {chw}", nameof(chw));
        int height = (int)chw.Size(1), width = (int)chw.Size(2);
        float[] values;
        using (var scope = DisposeScope.Begin())
            values = chw.Detach().To(Device.Cpu, ScalarType.Float32).Permute(1, 2, 0).Contiguous().ToArray<float>();  // [H, W, 3]
        var pixels = new byte[values.Length];
        for (var i = 0; i < values.Length; i++) pixels[i] = (byte)Math.Clamp(MathF.Round(values[i] * 255, MidpointRounding.AwayFromZero), 0, 255);
        return new RgbImage(width, height, pixels);
    }

    private int Offset(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside {Width} x {Height}");
        return (y * Width + x) * 3;
    }
}
