namespace MLNetClip.Data.Images;

/// <summary>A rectangle of source pixels.</summary>
public readonly record struct CropBox(int X, int Y, int Width, int Height);

/// <summary>
/// The crop of torchvision's RandomResizedCrop: an area fraction drawn uniformly from the
/// scale range and an aspect ratio drawn log-uniformly from the ratio range, ten tries to
/// fit, then a centre crop clamped to the ratio range. Drawing from a caller's
/// <see cref="Random"/> makes a loader reproducible from its seed.
/// </summary>
public static class RandomResizedCrop
{
    private const int Attempts = 10;

    public static CropBox Sample(int width, int height, double minScale, double maxScale, double minRatio, double maxRatio, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width} x {height} is empty");
        double area = (double)width * height;
        double logMin = Math.Log(minRatio), logMax = Math.Log(maxRatio);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var targetArea = area * Uniform(random, minScale, maxScale);
            var aspect = Math.Exp(Uniform(random, logMin, logMax));
            // Math.Round rounds half to even, like Python's round().
            var w = (int)Math.Round(Math.Sqrt(targetArea * aspect));
            var h = (int)Math.Round(Math.Sqrt(targetArea / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                var y = random.Next(height - h + 1);
                var x = random.Next(width - w + 1);
                return new CropBox(x, y, w, h);
            }
        }
        return CentreFallback(width, height, minRatio, maxRatio);
    }

    private static CropBox CentreFallback(int width, int height, double minRatio, double maxRatio)
    {
        var inRatio = (double)width / height;
        int w = width, h = height;
        if (inRatio < minRatio) h = (int)Math.Round(w / minRatio);
        else if (inRatio > maxRatio) w = (int)Math.Round(h * maxRatio);
        return new CropBox((width - w) / 2, (height - h) / 2, w, h);
    }

    private static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();
}
