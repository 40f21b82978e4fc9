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
    /// Keeps the <paramref name="keep"/> patches of each row with the highest
    /// <paramref name="priority"/> [B, N]; the core every strategy shares. No host synchronisation.
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

    private static readonly Dictionary<string, MaskingStrategy> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        [RandomName] = PatchMasking.Random,
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static MaskingStrategy Get(string name) =>
        ByName.TryGetValue(name, out var strategy)
            ? strategy
            : throw new ArgumentException($"unknown masking strategy '{name}'; expected one of {string.Join(", ", Names)}", nameof(name));
}
