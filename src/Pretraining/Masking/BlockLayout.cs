namespace MLNetClip.Pretraining.Masking;

/// <summary>
/// BEiT's block-wise mask layout (Bao et al. 2021, "BEiT", Algorithm 1), with BEiT v2's final
/// top-up so the count is exact. Rectangles are dropped on the grid one at a time: each has a
/// random area between a minimum and what is left to remove, and a log-uniform aspect ratio in
/// [0.3, 1/0.3]; a rectangle that would overshoot is redrawn (10 tries). When no rectangle fits
/// any more, the remaining patches are removed one by one at random positions.
/// </summary>
internal static class BlockLayout
{
    private const int Attempts = 10;
    private const double MinAspect = 0.3;

    /// <summary>
    /// The smallest rectangle, in patches: BEiT's 16 on its 14×14 grid, scaled to the grid's area
    /// (at least 1), so that a 4×4 grid can hold blocks at all.
    /// </summary>
    public static int MinBlock(PatchGrid grid) => (int)Math.Max(1, Math.Round(16.0 * grid.Count / 196));

    /// <summary>Row-major flags, true = removed; exactly <paramref name="removed"/> of them.</summary>
    public static bool[] Draw(PatchGrid grid, long removed, Random random)
    {
        if (removed < 0 || removed > grid.Count) throw new ArgumentOutOfRangeException(nameof(removed), removed, $"must be in [0, {grid.Count}]");
        var mask = new bool[grid.Count];
        long count = 0;
        while (count < removed)
        {
            var added = DropRectangle(grid, mask, removed - count, MinBlock(grid), random);
            if (added == 0) break;
            count += added;
        }
        // Top-up: BEiT v2 keeps the count fixed the same way, with single random patches.
        var free = Enumerable.Range(0, (int)grid.Count).Where(p => !mask[p]).ToList();
        for (; count < removed; count++)
        {
            var pick = random.Next(free.Count);
            mask[free[pick]] = true;
            free.RemoveAt(pick);
        }
        return mask;
    }

    /// <summary>Removes one rectangle adding at most <paramref name="budget"/> new patches; returns how many it added.</summary>
    private static long DropRectangle(PatchGrid grid, bool[] mask, long budget, int minBlock, Random random)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            double low = Math.Min(minBlock, budget), high = Math.Max(minBlock, budget);
            var area = low + random.NextDouble() * (high - low);
            var aspect = Math.Exp(Math.Log(MinAspect) + random.NextDouble() * (Math.Log(1 / MinAspect) - Math.Log(MinAspect)));
            var h = (long)Math.Round(Math.Sqrt(area * aspect));
            var w = (long)Math.Round(Math.Sqrt(area / aspect));
            if (h < 1 || w < 1 || h >= grid.Rows || w >= grid.Cols) continue;   // BEiT keeps blocks strictly inside the grid
            var top = random.NextInt64(grid.Rows - h + 1);
            var left = random.NextInt64(grid.Cols - w + 1);
            long fresh = 0;
            for (var r = top; r < top + h; r++)
                for (var c = left; c < left + w; c++)
                    if (!mask[r * grid.Cols + c]) fresh++;
            if (fresh == 0 || fresh > budget) continue;
            for (var r = top; r < top + h; r++)
                for (var c = left; c < left + w; c++)
                    mask[r * grid.Cols + c] = true;
            return fresh;
        }
        return 0;
    }
}
