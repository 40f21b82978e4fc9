using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Masking;

/// <summary>
/// The score-driven and block-wise strategies: attentive keeps exactly the top scores (ties to the
/// lower patch), sampled follows its probabilities (chi-square against the exact without-replacement
/// law), block-wise removes exactly M patches in clumps. All seeded, so none can flake.
/// </summary>
public class MaskingStrategyTests
{
    private static float[] Row(PatchMask mask, int b) =>
        mask.Mask.ToArray<float>().Skip(b * (int)mask.Grid.Count).Take((int)mask.Grid.Count).ToArray();

    [Fact]
    public void Attentive_KeepsTheTopScores_TiesToTheLowerPatch()
    {
        var baseline = LiveTensors.Baseline();
        using (var scope = DisposeScope.Begin())
        {
            // Keep 3 of 6: the two 0.9s, then the first of the three 0.5s (patch 0, not 2 or 4).
            var scores = Tensor.FromArray(new float[] { 0.5f, 0.9f, 0.5f, 0.1f, 0.5f, 0.9f, 3, 3, 3, 3, 3, 3 }, 2, 6);
            using var generator = new Generator(1);
            using var mask = PatchMasking.Attentive(2, new PatchGrid(2, 3), 0.5, generator, scores);
            Assert.Equal([1L, 5L, 0L, 0L, 1L, 2L], mask.VisibleIds.ToArray<long>());
            Assert.Equal([0f, 0f, 1f, 1f, 1f, 0f], Row(mask, 0));
            Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f], Row(mask, 1));   // all equal: the first three
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void Attentive_MatchesAHostSortOfRandomScores()
    {
        var grid = new PatchGrid(5, 5);
        using var generator = new Generator(2);
        using var scope = DisposeScope.Begin();
        var scores = Tensor.Rand([6, 25], generator);
        using var mask = PatchMasking.Attentive(6, grid, 0.6, generator, scores);
        var s = scores.ToArray<float>();
        for (var b = 0; b < 6; b++)
        {
            var top = Enumerable.Range(0, 25).OrderByDescending(p => s[b * 25 + p]).ThenBy(p => p).Take(10).ToHashSet();
            Assert.Equal(Enumerable.Range(0, 25).Select(p => top.Contains(p) ? 0f : 1f), Row(mask, b));
        }
    }

    [Fact]
    public void AttentiveBlocks_KeepsWhole2x2BlocksByMeanScore_AndCutsOnlyTheLastOne()
    {
        using var scope = DisposeScope.Begin();
        // 4×4 grid, blocks 0 (top-left) .. 3 (bottom-right). Block means: 0 → 1, 1 → 4, 2 → 2.5, 3 → 3.
        // Patch 4 (in block 0) has the single highest score, 5, but block 0's mean is the lowest.
        var scores = Tensor.FromArray(new float[]
        {
            0, 0, 4, 4,
            5, -1, 4, 4,
            2, 3, 3, 3,
            2, 3, 3, 3,
        }, 1, 16);
        using var generator = new Generator(1);
        var grid = new PatchGrid(4, 4);
        using var half = PatchMasking.AttentiveBlocks(1, grid, 0.5, generator, scores);
        Assert.Equal([1f, 1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f, 0f, 0f], Row(half, 0));   // blocks 1 and 3
        // Keep 6: block 1 whole, then the two lowest-numbered patches of block 3 (10 and 11).
        using var six = PatchMasking.AttentiveInBlocks(scores, 0.625, grid, blockSize: 2);
        Assert.Equal([1f, 1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f, 1f, 1f, 1f], Row(six, 0));
    }

    [Fact]
    public void AttentiveBlocks_OnAnOddGrid_AveragesTheSmallerEdgeBlocks()
    {
        using var scope = DisposeScope.Begin();
        // 3×3 grid in 2×2 blocks: block 0 = {0,1,3,4}, 1 = {2,5}, 2 = {6,7}, 3 = {8}. Means 1, 6, 0, 5.
        var scores = Tensor.FromArray(new float[] { 1, 1, 6, 1, 1, 6, 0, 0, 5 }, 1, 9);
        using var mask = PatchMasking.AttentiveInBlocks(scores, 0.7, new PatchGrid(3, 3), blockSize: 2);   // 6 removed, keep 3
        Assert.Equal([1f, 1f, 0f, 1f, 1f, 0f, 1f, 1f, 0f], Row(mask, 0));
    }

    [Fact]
    public void Sampled_KeepsOnePatch_WithProbabilityProportionalToItsScore()
    {
        const int draws = 20000;
        double[] score = [1, 2, 3, 4];
        var counts = SampledCounts(draws, score, keepRatio: 0.25, seed: 11, outcomes: 4, row => Array.IndexOf(row, 0f));
        var chi = Enumerable.Range(0, 4).Sum(i => Sq(counts[i] - draws * score[i] / 10) / (draws * score[i] / 10));
        Assert.True(chi < 16.27, $"chi-square {chi:F2} over 3 degrees of freedom (p = 0.001 critical value 16.27); counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void Sampled_KeepsPairs_WithTheWithoutReplacementProbabilities()
    {
        // Keep 2 of 4. Drawing ∝ p without replacement keeps {i, j} with p_i·p_j/(1−p_i) + p_j·p_i/(1−p_j);
        // drawing with replacement, or keeping the top scores, would give other frequencies.
        const int draws = 30000;
        double[] p = [0.1, 0.2, 0.3, 0.4];
        var pairs = new List<(int, int)>();
        for (var i = 0; i < 4; i++) for (var j = i + 1; j < 4; j++) pairs.Add((i, j));
        var counts = SampledCounts(draws, p, keepRatio: 0.5, seed: 12, outcomes: pairs.Count, row =>
            pairs.IndexOf((Array.IndexOf(row, 0f), Array.LastIndexOf(row, 0f))));
        var chi = 0.0;
        for (var k = 0; k < pairs.Count; k++)
        {
            var (i, j) = pairs[k];
            var expected = draws * (p[i] * p[j] / (1 - p[i]) + p[j] * p[i] / (1 - p[j]));
            chi += Sq(counts[k] - expected) / expected;
        }
        Assert.True(chi < 20.52, $"chi-square {chi:F2} over 5 degrees of freedom (p = 0.001 critical value 20.52); counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void Sampled_NeverKeepsAZeroScorePatch_WhileOthersRemain()
    {
        using var scope = DisposeScope.Begin();
        var scores = Tensor.FromArray(Enumerable.Range(0, 500).SelectMany(_ => new float[] { 0, 1, 0, 2, 0, 3 }).ToArray(), 500, 6);
        using var generator = new Generator(13);
        using var mask = PatchMasking.Sampled(500, new PatchGrid(2, 3), 0.5, generator, scores);
        var flags = mask.Mask.ToArray<float>();
        Assert.All(Enumerable.Range(0, 500), b => Assert.Equal([1f, 0f, 1f, 0f, 1f, 0f], flags.Skip(b * 6).Take(6)));
    }

    [Theory]
    [InlineData(14, 14, 0.4)]
    [InlineData(4, 4, 0.5)]
    [InlineData(8, 8, 0.75)]
    [InlineData(3, 7, 0.3)]
    public void BlockWise_RemovesExactlyTheRequestedCount(long rows, long cols, double ratio)
    {
        var grid = new PatchGrid(rows, cols);
        var removed = grid.Count - PatchMasking.KeepCount(grid.Count, ratio);
        using var generator = new Generator(21);
        using var mask = PatchMasking.BlockWise(300, grid, ratio, generator);
        var flags = mask.Mask.ToArray<float>();
        for (var b = 0; b < 300; b++) Assert.Equal(removed, (long)flags.Skip(b * (int)grid.Count).Take((int)grid.Count).Sum());
        Assert.Equal(grid.Count - removed, mask.Keep);
    }

    [Fact]
    public void BlockWise_RemovesClumps_FarMoreNeighbouringPairsThanRandomMasking()
    {
        // 75 of 196 removed, as BEiT does. A uniformly random set has, in expectation, 364 grid edges ×
        // (75/196)·(74/195) ≈ 52.9 edges with both ends removed; rectangles give far more.
        var grid = new PatchGrid(14, 14);
        using var generator = new Generator(22);
        using var mask = PatchMasking.BlockWise(200, grid, 75.0 / 196, generator);
        var flags = mask.Mask.ToArray<float>();
        var meanPairs = Enumerable.Range(0, 200).Average(b => RemovedNeighbourPairs(flags, b, grid));
        var randomExpectation = 364.0 * 75 / 196 * 74 / 195;
        Assert.True(meanPairs > 1.6 * randomExpectation, $"{meanPairs:F1} removed neighbour pairs per image, random masking gives {randomExpectation:F1}");
    }

    [Fact]
    public void BlockWise_DependsOnlyOnTheGeneratorState()
    {
        var grid = new PatchGrid(8, 8);
        using var a = new Generator(3);
        using var b = new Generator(3);
        using var ma = PatchMasking.BlockWise(4, grid, 0.5, a);
        using var mb = PatchMasking.BlockWise(4, grid, 0.5, b);
        Assert.Equal(ma.Mask.ToArray<float>(), mb.Mask.ToArray<float>());
    }

    [Fact]
    public void ScoreStrategies_WithoutScores_SayWhatTheyNeed()
    {
        using var generator = new Generator(1);
        var e = Assert.Throws<ArgumentException>(() => PatchMasking.Attentive(2, new PatchGrid(2, 2), 0.5, generator, null));
        Assert.Contains("attentive", e.Message);
        Assert.Contains("[2, 4]", e.Message);
    }

    [Theory]
    [InlineData("random", false)]
    [InlineData("attentive", true)]
    [InlineData("attentive-blocks", true)]
    [InlineData("sampled", true)]
    [InlineData("block", false)]
    public void Registry_NamesEveryStrategy(string name, bool needsScores)
    {
        Assert.NotNull(MaskingStrategies.Get(name));
        Assert.Equal(needsScores, MaskingStrategies.NeedsScores(name));
    }

    private static int[] SampledCounts(int draws, double[] score, double keepRatio, ulong seed, int outcomes, Func<float[], int> outcome)
    {
        using var scope = DisposeScope.Begin();
        var n = score.Length;
        var scores = Tensor.FromArray(Enumerable.Range(0, draws).SelectMany(_ => score.Select(s => (float)s)).ToArray(), draws, n);
        using var generator = new Generator(seed);
        using var mask = PatchMasking.Sampled(draws, new PatchGrid(1, n), 1 - keepRatio, generator, scores);
        var flags = mask.Mask.ToArray<float>();
        var counts = new int[outcomes];
        for (var b = 0; b < draws; b++) counts[outcome(flags.Skip(b * n).Take(n).ToArray())]++;
        return counts;
    }

    private static double RemovedNeighbourPairs(float[] flags, int b, PatchGrid grid)
    {
        var offset = b * (int)grid.Count;
        var pairs = 0;
        for (var r = 0; r < grid.Rows; r++)
            for (var c = 0; c < grid.Cols; c++)
            {
                var p = offset + (int)(r * grid.Cols + c);
                if (flags[p] == 0) continue;
                if (c + 1 < grid.Cols && flags[p + 1] == 1) pairs++;
                if (r + 1 < grid.Rows && flags[p + (int)grid.Cols] == 1) pairs++;
            }
        return pairs;
    }

    private static double Sq(double x) => x * x;
}
