using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// scale · (1 − cos) between predicted and target features, averaged over tokens: MILAN's
/// 2 − 2·cos (scale 2) and VQ-KD's reconstruction 1 − cos (scale 1). Both vectors are
/// L2-normalised first, so only directions count.
/// </summary>
public sealed class FeatureCosineLoss(double scale, string name)
{
    public double Scale { get; } = scale;

    /// <summary>predicted, target [B, T, E] → one term, <c>name</c>.</summary>
    public LossTerms Forward(Tensor predicted, Tensor target)
    {
        using var scope = DisposeScope.Begin();
        var cos = F.CosineSimilarity(predicted, target, dim: -1);                       // [B, T]
        var terms = new LossTerms();
        terms.Add(name, (1.0 - cos.Mean()) * Scale);
        return terms;
    }
}
