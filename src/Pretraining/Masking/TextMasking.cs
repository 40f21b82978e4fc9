using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Masking;

/// <summary>
/// Caption-token masking for the text branch (mask: 1 = remove, as for patches; here a bool
/// tensor, true = remove). Only the words of a caption can be masked: the start token (position
/// 0), the end token and the padding after it never are. A caption with n maskable tokens gets
/// exactly clamp(⌊r·n + ½⌋, 1, n) of them masked, so every caption with at least one word has
/// at least one masked token, and a caption without words (or without an end token) has none.
/// </summary>
public static class TextMasking
{
    /// <summary>The number of tokens masked in a caption with <paramref name="maskable"/> words.</summary>
    public static long MaskCount(long maskable, double maskRatio)
    {
        CheckRatio(maskRatio);
        if (maskable <= 0) return 0;
        return Math.Clamp((long)Math.Floor(maskRatio * maskable + 0.5), 1, maskable);
    }

    /// <summary>
    /// A uniformly random choice of <see cref="MaskCount"/> word positions per caption.
    /// <paramref name="endIndex"/> [B] is each caption's end-token position (the text tower's
    /// <c>EndTokenIndex</c>, so masking and pooling agree on where a caption ends); positions
    /// 1 … end − 1 are maskable. Returns bool [B, L], true = masked, on the generator's device.
    /// Computed on the device without host synchronisation.
    /// </summary>
    public static Tensor Random(Tensor ids, Tensor endIndex, double maskRatio, Generator generator)
    {
        CheckRatio(maskRatio);
        if (ids.Dim != 2 || endIndex.Dim != 1 || endIndex.Size(0) != ids.Size(0))
            throw new ArgumentException($"expected ids [B, L] and end positions [B], got {ids} and {endIndex}");
        using var scope = DisposeScope.Begin();
        long b = ids.Size(0), l = ids.Size(1);
        var position = Tensor.Arange(l, ScalarType.Int64, ids.Device).View(1, l);         // [1, L]
        var end = endIndex.View(b, 1);                                                  // [B, 1]
        var maskable = position.Ge(1).LogicalAnd(position.Lt(end));                     // [B, L]
        // Per-caption count, in float64 so the rounding matches MaskCount's double arithmetic.
        var words = (end - 1).ClampMin(0).To(ScalarType.Float64);                       // [B, 1]
        var count = (words * maskRatio + 0.5).Floor().Minimum(words).Maximum(words.ClampMax(1)); // [B, 1]
        // Words draw uniform keys in [0, 1), everything else 2, so words always rank first.
        var keys = Tensor.Where(maskable, BatchShard.Rand([b, l], generator),
            Tensor.Full([1], 2, ScalarType.Float32, ids.Device));                       // [B, L]
        var rank = keys.ArgSort(1).ArgSort(1);                                          // [B, L] 0 = smallest key
        return rank.To(ScalarType.Float64).Lt(count).MoveToOuterScope();                // [B, L] true = masked
    }

    private static void CheckRatio(double maskRatio)
    {
        if (!(maskRatio > 0 && maskRatio < 1)) throw new ArgumentOutOfRangeException(nameof(maskRatio), maskRatio, "the text mask ratio must be in (0, 1)");
    }
}
