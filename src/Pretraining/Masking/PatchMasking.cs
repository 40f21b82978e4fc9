using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Masking;

/// <summary>
/// A patch-masking strategy: a pure function of the batch size, the patch grid, the share of
/// patches to remove, a random stream and (for strategies that rank patches by something, such
/// as attention) per-patch scores [B, N]. Every strategy removes exactly the same count,
/// <see cref="PatchMasking.KeepCount"/>, from each image.
/// </summary>
public delegate PatchMask MaskingStrategy(long batch, PatchGrid grid, double maskRatio, Generator generator, Tensor? scores);

/// <summary>
/// Patch masking (mask: 0 = keep, 1 = remove). Each strategy only decides a priority per patch;
/// <see cref="KeepHighest"/> turns priorities into the visible ids, mask and restore ids. So an
/// attentive mask (priority = the teacher's attention), a sampled one (priority = log score plus
/// Gumbel noise, which draws without replacement ∝ score) or a block-wise one (priority shared by
/// a block of patches) is each one more function here and one line in <see cref="MaskingStrategies"/>.
/// </summary>
public static class PatchMasking
{
    /// <summary>
    /// Patches kept per image, K = N − M, where M = ⌊r·N + ½⌋ (r·N rounded half up) is the number
    /// removed, clamped to [1, N − 1] so that both the kept and the removed sets are non-empty.
    /// Rounding (not MAE's ⌊N·(1 − r)⌋) keeps float noise from costing a patch: 1 − 0.9 is
    /// 0.0999…, which MAE's rule turns into 0 kept of 10.
    /// </summary>
    public static long KeepCount(long patches, double maskRatio)
    {
        if (patches < 2) throw new ArgumentOutOfRangeException(nameof(patches), patches, "masking needs at least 2 patches");
        if (!(maskRatio > 0 && maskRatio < 1)) throw new ArgumentOutOfRangeException(nameof(maskRatio), maskRatio, "the mask ratio must be in (0, 1)");
        var removed = (long)Math.Floor(maskRatio * patches + 0.5);
        return patches - Math.Clamp(removed, 1, patches - 1);
    }

    /// <summary>
    /// Uniformly random masking (MAE): every K-subset of patches is equally likely, independently
    /// per image. <paramref name="scores"/> is not used. Tensors are created on the generator's device.
    /// </summary>
    public static PatchMask Random(long batch, PatchGrid grid, double maskRatio, Generator generator, Tensor? scores = null)
    {
        var keep = KeepCount(grid.Count, maskRatio);
        using var scope = DisposeScope.Begin();
        var noise = BatchShard.Rand([batch, grid.Count], generator);                     // [B, N] (this rank's rows of a global draw)
        return KeepHighest(noise, keep, grid);
    }

    /// <summary>
    /// Attentive masking (A-CLIP, Yang et al. 2023): keeps the K patches with the highest
    /// <paramref name="scores"/> [B, N] (any score map: a teacher's class-token attention, a
    /// saliency map). Ties go to the lower patch number, so equal scores give the same mask every time.
    /// </summary>
    public static PatchMask Attentive(long batch, PatchGrid grid, double maskRatio, Generator generator, Tensor? scores)
    {
        var keep = KeepCount(grid.Count, maskRatio);
        using var scope = DisposeScope.Begin();
        return KeepHighest(RequireScores(scores, batch, grid, "attentive").To(ScalarType.Float32), keep, grid);
    }

    /// <summary>
    /// Attentive masking over 2×2 patch blocks, as A-CLIP's released code does: blocks are ranked
    /// by their mean score and kept whole, best first (the last block kept may be cut to hit K exactly).
    /// </summary>
    public static PatchMask AttentiveBlocks(long batch, PatchGrid grid, double maskRatio, Generator generator, Tensor? scores) =>
        AttentiveInBlocks(RequireScores(scores, batch, grid, "attentive-blocks"), maskRatio, grid, blockSize: 2);

    /// <summary>
    /// <see cref="Attentive"/> over <paramref name="blockSize"/>² blocks of patches (edge blocks of a
    /// grid that the size does not divide are smaller; their score is the mean of the patches they have).
    /// Ties between blocks go to the lower block number, and inside a block to the lower patch number.
    /// </summary>
    public static PatchMask AttentiveInBlocks(Tensor scores, double maskRatio, PatchGrid grid, long blockSize)
    {
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "the block size must be at least 1");
        var keep = KeepCount(grid.Count, maskRatio);
        using var scope = DisposeScope.Begin();
        long blockCols = (grid.Cols + blockSize - 1) / blockSize, blocks = blockCols * ((grid.Rows + blockSize - 1) / blockSize);
        var blockOf = new long[grid.Count];
        var pool = new float[grid.Count * blocks];                                       // [N, blocks] mean-pooling weights
        for (long p = 0; p < grid.Count; p++) blockOf[p] = p / grid.Cols / blockSize * blockCols + p % grid.Cols / blockSize;
        var members = blockOf.GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count());
        for (long p = 0; p < grid.Count; p++) pool[p * blocks + blockOf[p]] = 1f / members[blockOf[p]];
        var device = scores.Device;
        var blockScores = scores.To(ScalarType.Float32).MatMul(Tensor.FromArray(pool, grid.Count, blocks).To(device));  // [B, blocks]
        var blockRank = blockScores.ArgSort(1, descending: true).ArgSort(1);           // [B, blocks] 0 = best block
        var priority = blockRank.IndexSelect(1, Tensor.FromArray(blockOf, grid.Count).To(device))
            .To(ScalarType.Float32).Neg();                                              // [B, N] a block's patches share one priority
        return KeepHighest(priority, keep, grid);
    }

    /// <summary>
    /// Sampled masking (MILAN, Hou et al. 2022): the kept patches are drawn without replacement with
    /// probability ∝ <paramref name="scores"/> [B, N] (non-negative). Ranking log(score) plus Gumbel noise
    /// and keeping the top K is exactly such a draw (the Gumbel-top-k trick), with no host loop.
    /// </summary>
    public static PatchMask Sampled(long batch, PatchGrid grid, double maskRatio, Generator generator, Tensor? scores)
    {
        var keep = KeepCount(grid.Count, maskRatio);
        using var scope = DisposeScope.Begin();
        var logScore = RequireScores(scores, batch, grid, "sampled").To(ScalarType.Float32).ClampMin(0).Log();  // [B, N], −∞ for 0
        var uniform = Tensor.Rand([batch, grid.Count], generator, device: generator.Device).Clamp(1e-20, 1 - 1e-7);
        var gumbel = uniform.Log().Neg().Log().Neg();                                   // [B, N] −log(−log u)
        return KeepHighest(logScore.To(generator.Device).Add(gumbel), keep, grid);
    }

    /// <summary>
    /// Block-wise masking (BEiT, Bao et al. 2021; BEiT v2's exact count): rectangles of random area
    /// and aspect ratio are removed until M patches are; see <see cref="BlockLayout"/>. <paramref name="scores"/> is not used.
    /// </summary>
    public static PatchMask BlockWise(long batch, PatchGrid grid, double maskRatio, Generator generator, Tensor? scores = null)
    {
        var keep = KeepCount(grid.Count, maskRatio);
        using var scope = DisposeScope.Begin();
        // One seed per image from the generator keeps the mask a function of the generator state.
        var seeds = Tensor.RandInt(0, int.MaxValue, [batch], generator, device: generator.Device).ToArray<long>();
        var kept = new float[batch * grid.Count];
        for (var b = 0; b < batch; b++)
        {
            var removed = BlockLayout.Draw(grid, grid.Count - keep, new Random((int)seeds[b]));
            for (var p = 0; p < grid.Count; p++) kept[b * grid.Count + p] = removed[p] ? 0f : 1f;
        }
        return KeepHighest(Tensor.FromArray(kept, batch, grid.Count).To(generator.Device), keep, grid);  // exactly K ones
    }

    private static Tensor RequireScores(Tensor? scores, long batch, PatchGrid grid, string strategy) =>
        scores is { Dim: 2 } s && s.Size(0) == batch && s.Size(1) == grid.Count
            ? s
            : throw new ArgumentException($"the {strategy} masking strategy needs scores [{batch}, {grid.Count}], got {(scores is null ? "none" : scores.ToString())}", nameof(scores));

    /// <summary>
    /// Keeps the <paramref name="keep"/> patches of each row with the highest
    /// <paramref name="priority"/> [B, N]; the core every strategy shares. The sort is stable, so
    /// equal priorities go to the lower patch number. No host synchronisation.
    /// </summary>
    public static PatchMask KeepHighest(Tensor priority, long keep, PatchGrid grid)
    {
        if (priority.Dim != 2 || priority.Size(1) != grid.Count)
            throw new ArgumentException($"priorities must be [B, {grid.Count}] for a {grid} grid, got {priority}", nameof(priority));
        if (keep < 1 || keep >= grid.Count)
            throw new ArgumentOutOfRangeException(nameof(keep), keep, $"must keep 1..{grid.Count - 1} patches");
        using var scope = DisposeScope.Begin();
        long b = priority.Size(0), n = grid.Count;
        var shuffle = priority.ArgSort(1, descending: true);                           // [B, N] kept first
        var restore = shuffle.ArgSort(1);                                               // [B, N] inverse permutation
        var visible = shuffle.Narrow(1, 0, keep).Contiguous();                          // [B, K]
        var removedInShuffledOrder = Tensor.Arange(n, ScalarType.Int64, priority.Device)
            .Ge(keep).To(ScalarType.Float32);                                           // [N] 0 for the first K
        var mask = removedInShuffledOrder.Expand(b, n).Gather(1, restore);              // [B, N] 0 keep, 1 remove
        return new PatchMask(visible, mask, restore, grid);
    }
}

/// <summary>The masking strategies by name, for options and command lines.</summary>
public static class MaskingStrategies
{
    public const string RandomName = "random";
    public const string AttentiveName = "attentive";
    public const string AttentiveBlocksName = "attentive-blocks";
    public const string SampledName = "sampled";
    public const string BlockName = "block";

    private static readonly Dictionary<string, MaskingStrategy> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        [RandomName] = PatchMasking.Random,
        [AttentiveName] = PatchMasking.Attentive,
        [AttentiveBlocksName] = PatchMasking.AttentiveBlocks,
        [SampledName] = PatchMasking.Sampled,
        [BlockName] = PatchMasking.BlockWise,
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Whether the named strategy ranks patches by scores (which the caller must then pass).</summary>
    public static bool NeedsScores(string name) =>
        name.Equals(AttentiveName, StringComparison.OrdinalIgnoreCase)
        || name.Equals(AttentiveBlocksName, StringComparison.OrdinalIgnoreCase)
        || name.Equals(SampledName, StringComparison.OrdinalIgnoreCase);

    public static MaskingStrategy Get(string name) =>
        ByName.TryGetValue(name, out var strategy)
            ? strategy
            : throw new ArgumentException($"unknown masking strategy '{name}'; expected one of {string.Join(", ", Names)}", nameof(name));
}
