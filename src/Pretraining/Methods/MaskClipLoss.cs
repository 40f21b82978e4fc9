using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// Predictions and targets for masked positions: <see cref="Prediction"/> and <see cref="Target"/>
/// [B, T, D], <see cref="Mask"/> [B, T] float with 1 where the position was removed (and is scored).
/// </summary>
public sealed record MaskedPrediction(Tensor Prediction, Tensor Target, Tensor Mask);

/// <summary>
/// MaskCLIP's loss: CLIP's contrastive term plus masked self-distillation, smooth-L1 between the
/// decoder's predictions and the EMA teacher's features at the removed patches (DistillLoss) and,
/// with the text branch, at the masked caption tokens (TextDistillLoss). Each term carries its
/// weight, so <see cref="LossTerms.Total"/> is exactly what is optimised.
/// </summary>
public sealed class MaskClipLoss : ClipLoss
{
    public const string DistillLoss = "DistillLoss";
    public const string TextDistillLoss = "TextDistillLoss";

    private readonly double _beta;
    private readonly double _distillWeight;
    private readonly double _textDistillWeight;

    /// <param name="beta">Smooth-L1's β: below it the loss is quadratic, above it linear.</param>
    /// <param name="distillWeight">λ, the weight of the image term.</param>
    /// <param name="textDistillWeight">The weight of the text term.</param>
    public MaskClipLoss(double beta, double distillWeight, double textDistillWeight)
    {
        if (!(beta > 0)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "must be > 0");
        _beta = beta;
        _distillWeight = distillWeight;
        _textDistillWeight = textDistillWeight;
    }

    /// <summary>The contrastive term plus one distillation term per prediction given.</summary>
    public LossTerms Forward(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale, MaskedPrediction patches, MaskedPrediction? tokens)
    {
        var terms = Forward(imageFeatures, textFeatures, logitScale);
        try
        {
            terms.Add(DistillLoss, Weighted(patches, _distillWeight));
            if (tokens is not null) terms.Add(TextDistillLoss, Weighted(tokens, _textDistillWeight));
            return terms;
        }
        catch
        {
            terms.Dispose();
            throw;
        }
    }

    private Tensor Weighted(MaskedPrediction p, double weight)
    {
        using var scope = DisposeScope.Begin();
        return (MaskedSmoothL1(p, _beta) * weight).MoveToOuterScope();
    }

    /// <summary>
    /// Smooth-L1 averaged over the feature width and then over the masked positions of the whole
    /// batch: Σ_bt mask·mean_d ℓ(pred − target) / max(1, Σ_bt mask). A 0-d tensor; 0 when nothing
    /// is masked.
    /// </summary>
    public static Tensor MaskedSmoothL1(MaskedPrediction p, double beta)
    {
        using var scope = DisposeScope.Begin();
        var perToken = F.SmoothL1(p.Prediction, p.Target, Reduction.None, beta).Mean(-1); // [B, T]
        var masked = (perToken * p.Mask).Sum();
        return (masked / p.Mask.Sum().ClampMin(1)).MoveToOuterScope();
    }
}
