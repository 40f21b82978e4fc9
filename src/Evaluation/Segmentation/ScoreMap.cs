namespace MLNetClip.Evaluation.Segmentation;

/// <summary>
/// Class scores laid out on a grid over one square canvas: <see cref="Values"/> is
/// [Classes, Rows, Cols], row-major. Cell (r, c) covers the canvas square its patch sees.
/// </summary>
public sealed record ScoreMap(int Classes, int Rows, int Cols, float[] Values)
{
    /// <summary>
    /// Per-pixel labels of a <paramref name="size"/>-square canvas: each class's map is upsampled
    /// bilinearly (half-pixel centres, edges clamped: F.interpolate with align_corners=False), then
    /// the highest class wins, the lowest index on ties. Interpolating the scores before the
    /// argmax gives smooth boundaries between patches instead of blocky ones, as MaskCLIP does.
    /// </summary>
    public int[] Labels(int size)
    {
        if (Values.Length != Classes * Rows * Cols)
            throw new InvalidOperationException($"{Values.Length} scores do not fill {Classes} × {Rows} × {Cols}");
        var labels = new int[size * size];
        var best = new float[size * size];
        Array.Fill(best, float.NegativeInfinity);
        var (y0, y1, wy) = Axis(Rows, size);
        var (x0, x1, wx) = Axis(Cols, size);
        for (var k = 0; k < Classes; k++)
        {
            var map = Values.AsSpan(k * Rows * Cols, Rows * Cols);
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    var top = map[y0[y] * Cols + x0[x]] * (1 - wx[x]) + map[y0[y] * Cols + x1[x]] * wx[x];
                    var bottom = map[y1[y] * Cols + x0[x]] * (1 - wx[x]) + map[y1[y] * Cols + x1[x]] * wx[x];
                    var value = top * (1 - wy[y]) + bottom * wy[y];
                    var i = y * size + x;
                    if (value > best[i])
                    {
                        best[i] = value;
                        labels[i] = k;
                    }
                }
        }
        return labels;
    }

    /// <summary>For each output pixel along one axis: the two source cells and the weight of the second.</summary>
    private static (int[] Low, int[] High, float[] Weight) Axis(int cells, int size)
    {
        var low = new int[size];
        var high = new int[size];
        var weight = new float[size];
        var step = (double)cells / size;
        for (var p = 0; p < size; p++)
        {
            var source = Math.Max((p + 0.5) * step - 0.5, 0);
            low[p] = Math.Min((int)source, cells - 1);
            high[p] = Math.Min(low[p] + 1, cells - 1);
            weight[p] = (float)(source - low[p]);
        }
        return (low, high, weight);
    }
}
