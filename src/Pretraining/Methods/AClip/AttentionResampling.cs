using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.AClip;

/// <summary>
/// Carries the EMA encoder's per-patch scores, computed on the cover view, onto an online view:
/// each online patch takes the cover's score map sampled bilinearly at that patch's centre, mapped
/// through the two crop boxes (PyTorch's align_corners = false geometry: patch centres sit at
/// half-integers, samples beyond the outermost centres take the edge value). The released code
/// instead resizes the map to the cover's pixel size, crops the view's box and resizes back to the
/// grid, two bilinear resizes that blur it a little more; the sampled points are the same.
/// </summary>
public static class AttentionResampling
{
    /// <summary>
    /// <paramref name="coverScores"/> [B, N] on <paramref name="grid"/> over the cover's box →
    /// [B, N] on the same grid over view <paramref name="view"/>'s box. <paramref name="boxes"/> holds,
    /// per sample, each view's box as fractions of the image (x0, y0, x1, y1), the cover last: [B, V, 4] row-major.
    /// </summary>
    public static Tensor ForView(Tensor coverScores, ReadOnlySpan<float> boxes, int view, int views, PatchGrid grid)
    {
        long b = coverScores.Size(0), n = grid.Count;
        if (coverScores.Dim != 2 || coverScores.Size(1) != n)
            throw new ArgumentException($"scores must be [B, {n}] for a {grid} grid, got {coverScores}", nameof(coverScores));
        if (boxes.Length != b * views * 4) throw new ArgumentException($"expected {b * views * 4} box values, got {boxes.Length}", nameof(boxes));
        var index = new long[b * n * 4];
        var weight = new float[b * n * 4];
        for (var s = 0; s < b; s++)
        {
            var online = boxes.Slice((s * views + view) * 4, 4);
            var cover = boxes.Slice((s * views + views - 1) * 4, 4);
            for (long r = 0; r < grid.Rows; r++)
                for (long c = 0; c < grid.Cols; c++)
                {
                    var (x0, x1, wx) = Axis(online[0], online[2], cover[0], cover[2], c, grid.Cols);
                    var (y0, y1, wy) = Axis(online[1], online[3], cover[1], cover[3], r, grid.Rows);
                    var at = (s * n + r * grid.Cols + c) * 4;
                    (index[at], weight[at]) = (y0 * grid.Cols + x0, (1 - wy) * (1 - wx));
                    (index[at + 1], weight[at + 1]) = (y0 * grid.Cols + x1, (1 - wy) * wx);
                    (index[at + 2], weight[at + 2]) = (y1 * grid.Cols + x0, wy * (1 - wx));
                    (index[at + 3], weight[at + 3]) = (y1 * grid.Cols + x1, wy * wx);
                }
        }
        using var scope = DisposeScope.Begin();
        var device = coverScores.Device;
        var idx = Tensor.FromArray(index, b, n * 4).To(device);                        // [B, 4N]
        var w = Tensor.FromArray(weight, b, n, 4).To(device);                          // [B, N, 4]
        var picked = coverScores.To(ScalarType.Float32).Gather(1, idx).View(b, n, 4);  // [B, N, 4]
        return (picked * w).Sum(2).MoveToOuterScope();                                 // [B, N]
    }

    // Along one axis: the two neighbouring cover patches and the weight of the second, for the
    // centre of online patch i of count.
    private static (long Low, long High, float Weight) Axis(float online0, float online1, float cover0, float cover1, long i, long count)
    {
        var source = online0 + (i + 0.5) / count * (online1 - online0);                // fraction of the image
        var inCover = (source - cover0) / Math.Max(cover1 - cover0, 1e-12) * count - 0.5; // cover patch coordinate
        var clamped = Math.Clamp(inCover, 0, count - 1);
        var low = (long)Math.Floor(clamped);
        var high = Math.Min(low + 1, count - 1);
        return (low, high, (float)(clamped - low));
    }
}
