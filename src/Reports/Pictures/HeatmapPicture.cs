namespace MLNetClip.Reports.Pictures;

/// <summary>
/// A per-patch map drawn over the picture it belongs to: the map is upsampled bilinearly to the
/// picture's size, scaled to [0, 1] between its own minimum and maximum, coloured with
/// <see cref="ColorMap.Heat"/> and blended over the picture.
/// </summary>
public static class HeatmapPicture
{
    /// <summary>
    /// The picture with <paramref name="map"/> blended over it: each channel is
    /// (1 − <paramref name="opacity"/>)·picture + opacity·colour, rounded. A flat map is drawn at mid-scale.
    /// </summary>
    public static RgbImage Overlay(RgbImage picture, PatchMap map, double opacity = 0.55)
    {
        ArgumentNullException.ThrowIfNull(picture);
        ArgumentNullException.ThrowIfNull(map);
        if (!(opacity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "opacity must be in [0, 1]");
        var values = Upsample(map, picture.Width, picture.Height);
        double low = map.Min, range = map.Max - low;
        var result = new RgbImage(picture.Width, picture.Height);
        for (var p = 0; p < values.Length; p++)
        {
            var t = range > 0 ? (values[p] - low) / range : 0.5;
            var (r, g, b) = ColorMap.Heat.At(t);
            result.Pixels[p * 3] = Blend(picture.Pixels[p * 3], r, opacity);
            result.Pixels[p * 3 + 1] = Blend(picture.Pixels[p * 3 + 1], g, opacity);
            result.Pixels[p * 3 + 2] = Blend(picture.Pixels[p * 3 + 2], b, opacity);
        }
        return result;
    }

    /// <summary>
    /// The map resampled to width × height pixels, row-major, by bilinear interpolation between
    /// patch centres (half-pixel centres, as align_corners = false does); beyond the outermost
    /// centres the edge patch's value holds.
    /// </summary>
    public static float[] Upsample(PatchMap map, int width, int height)
    {
        var result = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            var (r0, r1, fy) = Between((y + 0.5) * map.Rows / height - 0.5, map.Rows);
            for (var x = 0; x < width; x++)
            {
                var (c0, c1, fx) = Between((x + 0.5) * map.Cols / width - 0.5, map.Cols);
                var top = map[r0, c0] * (1 - fx) + map[r0, c1] * fx;
                var bottom = map[r1, c0] * (1 - fx) + map[r1, c1] * fx;
                result[y * width + x] = (float)(top * (1 - fy) + bottom * fy);
            }
        }
        return result;
    }

    // The two grid cells a source coordinate falls between and the weight of the second, clamped at the edges.
    private static (int Low, int High, double Weight) Between(double position, int count)
    {
        var clamped = Math.Clamp(position, 0, count - 1);
        var low = (int)Math.Floor(clamped);
        var high = Math.Min(low + 1, count - 1);
        return (low, high, clamped - low);
    }

    private static byte Blend(byte under, byte over, double opacity) =>
        (byte)Math.Round(under * (1 - opacity) + over * opacity, MidpointRounding.AwayFromZero);
}
