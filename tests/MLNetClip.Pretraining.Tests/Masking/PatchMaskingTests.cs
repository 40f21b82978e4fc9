using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Masking;

/// <summary>Random patch masking: exact counts, a consistent mask, restore ids that invert the shuffle.</summary>
public class PatchMaskingTests
{
    [Theory]
    [InlineData(16, 0.75, 4)]     // ViT-Micro: 4×4 patches
    [InlineData(64, 0.75, 16)]    // ViT-Tiny: 8×8
    [InlineData(196, 0.75, 49)]   // ViT-B/16: 14×14
    [InlineData(10, 0.9, 1)]      // 1 − 0.9 = 0.0999…: MAE's floor would keep 0
    [InlineData(10, 0.95, 1)]     // 9.5 rounds to 10 removed, clamped to 9
    [InlineData(10, 0.01, 9)]     // 0.1 rounds to 0 removed, clamped to 1
    [InlineData(3, 0.5, 1)]       // 1.5 rounds half up to 2 removed
    public void KeepCount_RoundsTheRemovedCountHalfUp_AndKeepsBothSetsNonEmpty(long patches, double ratio, long keep) =>
        Assert.Equal(keep, PatchMasking.KeepCount(patches, ratio));

    [Theory]
    [InlineData(16, 0)]
    [InlineData(16, 1)]
    [InlineData(16, double.NaN)]
    [InlineData(1, 0.5)]
    public void KeepCount_RejectsRatiosOutsideTheOpenInterval(long patches, double ratio) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PatchMasking.KeepCount(patches, ratio));

    [Theory]
    [InlineData(4, 4, 0.75)]
    [InlineData(3, 5, 0.6)]
    public void RandomMask_KeepsExactlyK_AndRestoreIdsInvertTheShuffle(long rows, long cols, double ratio)
    {
        const int batch = 7;
        var grid = new PatchGrid(rows, cols);
        var n = (int)grid.Count;
        var k = (int)PatchMasking.KeepCount(n, ratio);
        using var generator = new Generator(5);
        using var mask = PatchMasking.Random(batch, grid, ratio, generator);

        Assert.Equal([batch, (long)k], mask.VisibleIds.Shape);
        Assert.Equal([batch, (long)n], mask.Mask.Shape);
        Assert.Equal([batch, (long)n], mask.RestoreIds.Shape);
        var visible = mask.VisibleIds.ToArray<long>();
        var flags = mask.Mask.ToArray<float>();
        var restore = mask.RestoreIds.ToArray<long>();
        for (var b = 0; b < batch; b++)
        {
            var kept = visible.Skip(b * k).Take(k).ToArray();
            var rowFlags = flags.Skip(b * n).Take(n).ToArray();
            var rowRestore = restore.Skip(b * n).Take(n).ToArray();
            Assert.Equal(k, kept.Distinct().Count());
            Assert.All(kept, p => Assert.InRange(p, 0, n - 1));
            // mask: 0 = keep, 1 = remove, and exactly the visible patches are kept.
            for (var p = 0; p < n; p++) Assert.Equal(kept.Contains(p) ? 0f : 1f, rowFlags[p]);
            // The restore ids are a permutation whose inverse (the shuffle) starts with the visible ids:
            // gathering [kept…, removed…] with them puts every token back at its patch number.
            Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), rowRestore.Order());
            var shuffle = new long[n];
            for (var p = 0; p < n; p++) shuffle[rowRestore[p]] = p;
            Assert.Equal(kept, shuffle.Take(k));
            Assert.All(shuffle.Skip(k), p => Assert.Equal(1f, rowFlags[p]));
        }
    }

    [Fact]
    public void RandomMask_IsUniformOverPatches_AndIndependentPerImage()
    {
        const int batch = 4000;
        var grid = new PatchGrid(4, 4);
        using var generator = new Generator(9);
        using var mask = PatchMasking.Random(batch, grid, 0.75, generator);
        var flags = mask.Mask.ToArray<float>();
        for (var p = 0; p < 16; p++)
        {
            var keptShare = Enumerable.Range(0, batch).Count(b => flags[b * 16 + p] == 0) / (double)batch;
            Assert.InRange(keptShare, 0.25 - 0.03, 0.25 + 0.03);                       // ±4.4 binomial sd
        }
        var distinctRows = Enumerable.Range(0, batch).Select(b => string.Concat(flags.Skip(b * 16).Take(16))).Distinct().Count();
        Assert.True(distinctRows > 1500, $"only {distinctRows} distinct masks of 1820 possible in {batch} draws");
    }

    [Fact]
    public void RandomMask_DependsOnlyOnTheGeneratorState()
    {
        var grid = new PatchGrid(4, 4);
        using var a = new Generator(3);
        using var b = new Generator(3);
        using var c = new Generator(4);
        using var ma = PatchMasking.Random(8, grid, 0.75, a);
        using var mb = PatchMasking.Random(8, grid, 0.75, b);
        using var mc = PatchMasking.Random(8, grid, 0.75, c);
        Assert.Equal(ma.VisibleIds.ToArray<long>(), mb.VisibleIds.ToArray<long>());
        Assert.NotEqual(ma.VisibleIds.ToArray<long>(), mc.VisibleIds.ToArray<long>());
    }

    [Fact]
    public void KeepHighest_KeepsTheHighestPriorities_InDescendingOrder()
    {
        using var scope = DisposeScope.Begin();
        var priority = Tensor.FromArray(new float[] { 0.1f, 0.9f, 0.5f, 0.7f, 0.3f, 0.2f, 0.8f, 0.0f }, 2, 4);
        using var mask = PatchMasking.KeepHighest(priority, 2, new PatchGrid(2, 2));
        // Row 0 ranks patches 1, 3, 2, 0; row 1 ranks 2, 0, 1, 3.
        Assert.Equal([1L, 3L, 2L, 0L], mask.VisibleIds.ToArray<long>());
        Assert.Equal([1f, 0f, 1f, 0f, 0f, 1f, 0f, 1f], mask.Mask.ToArray<float>());
        Assert.Equal([3L, 0L, 2L, 1L, 1L, 2L, 0L, 3L], mask.RestoreIds.ToArray<long>());
    }

    [Fact]
    public void Registry_FindsRandom_AndNamesTheChoicesForAnUnknownName()
    {
        Assert.Equal(((MaskingStrategy)PatchMasking.Random).Method, MaskingStrategies.Get("random").Method);
        var e = Assert.Throws<ArgumentException>(() => MaskingStrategies.Get("attentive-typo"));
        Assert.Contains("random", e.Message);
    }
}
