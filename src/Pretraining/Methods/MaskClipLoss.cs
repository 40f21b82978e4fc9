using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// Predictions and targets for masked positions: <see cref="Prediction"/> and <see cref="Target"/>
/// [B, T, D], <see cref="Mask"/> [B, T] float with 1 where the position was removed (and is scored).
/// </summary>
public sealed record MaskedPrediction(Tensor Prediction, Tensor Target, Tensor Mask);

/// <summary>
/// Word predictions at a fixed number K of slots per caption: <see cref="Logits"/> [B, K, V],
/// <see cref="Targets"/> [B, K] token ids, <see cref="Weights"/> [B, K] float, 1 where the slot holds
/// a masked word and 0 where it only pads the caption's slots up to K.
/// </summary>
public sealed record MaskedWords(Tensor Logits, Tensor Targets, Tensor Weights);

/// <summary>
/// MaskCLIP's loss (the paper's Eq. 8): CLIP's contrastive term, plus λ times the image
/// distillation term (smooth-L1 between the decoder's predictions and the EMA teacher's features
/// at the removed patches, DistillLoss), plus, with the text branch, β times the masked language
/// modelling term (cross-entropy of the masked words, MlmLoss). Each term carries its weight, so
/// <see cref="LossTerms.Total"/> is exactly what is optimised.
/// </summary>
public sealed class MaskClipLoss : ClipLoss
{
    public const string DistillLoss = "DistillLoss";
    public const string MlmLoss = "MlmLoss";

    private readonly double _beta;
    private readonly double _distillWeight;
    private readonly double _mlmWeight;

    /// <param name="beta">Smooth-L1's β: below it the loss is quadratic, above it linear.</param>
    /// <param name="distillWeight">λ, the weight of the image distillation term.</param>
    /// <param name="mlmWeight">The weight of the masked-word term (the paper's β, not smooth-L1's).</param>
    public MaskClipLoss(double beta, double distillWeight, double mlmWeight)
    {
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "must be > 0");
        _beta = beta;
        _distillWeight = distillWeight;
        _mlmWeight = mlmWeight;
    }

    /// <summary>The contrastive and distillation terms, and the masked-word term when words are given.</summary>
    public LossTerms Forward(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale, MaskedPrediction patches, MaskedWords? words)
    {
        var terms = Forward(imageFeatures, textFeatures, logitScale);
        try
        {
            terms.Add(DistillLoss, Weighted(() => MaskedSmoothL1(patches, _beta), _distillWeight));
            if (words is not null) terms.Add(MlmLoss, Weighted(() => MaskedCrossEntropy(words), _mlmWeight));
            return terms;
        }
        catch
        {
            terms.Dispose();
            throw;
        }
    }

    private static Tensor Weighted(Func<Tensor> loss, double weight)
    {
        using var scope = DisposeScope.Begin();
        return (loss() * weight).MoveToOuterScope();
    }

    /// <summary>
    /// Smooth-L1 averaged over the feature width and then over the masked positions of the whole
    /// batch: Σ_bt mask·mean_d ℓ(pred − target) / max(1, Σ_bt mask) (on a data-parallel rank, the global batch's
    /// count: <see cref="BatchShard.MaskedMean"/>). A 0-d tensor; 0 when nothing
    /// is masked.
    /// </summary>
    public static Tensor MaskedSmoothL1(MaskedPrediction p, double beta)
    {
        using var scope = DisposeScope.Begin();
        var perToken = F.SmoothL1(p.Prediction, p.Target, Reduction.None, beta).Mean(-1); // [B, T]
        var masked = (perToken * p.Mask).Sum();
        return BatchShard.MaskedMean(masked, p.Mask.Sum()).MoveToOuterScope();
    }

    /// <summary>
    /// Cross-entropy of each masked word's logits against its token id, averaged over the masked
    /// words of the whole batch: Σ w·CE / max(1, Σ w). A 0-d tensor; 0 when nothing is masked.
    /// </summary>
    public static Tensor MaskedCrossEntropy(MaskedWords w)
    {
        using var scope = DisposeScope.Begin();
        var vocabulary = w.Logits.Size(2);
        var perSlot = F.CrossEntropy(w.Logits.Reshape(-1, vocabulary), w.Targets.Reshape(-1), Reduction.None); // [B·K]
        var weights = w.Weights.Reshape(-1);                                            // [B·K]
        return BatchShard.MaskedMean((perSlot * weights).Sum(), weights.Sum()).MoveToOuterScope();
    }
}
