using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// Smooth-L1 between predicted and target features (MaskDistill, MaskAlign): the element-wise
/// smooth-L1 (β as given) averaged over the feature width, then over the tokens that count:
/// those where the weight is 1 (masked patches for MaskDistill), or every token without weights.
/// MaskAlign averages it over its K aligned layers (<see cref="ForwardLayers"/>).
/// </summary>
public sealed class FeatureSmoothL1Loss(double beta, string name = "DistillLoss")
{
    public double Beta { get; } = beta;

    /// <summary>predicted, target [B, T, D]; weights [B, T] (1 = counts) or null → one term, <c>name</c>.</summary>
    public LossTerms Forward(Tensor predicted, Tensor target, Tensor? weights = null)
    {
        var terms = new LossTerms();
        terms.Add(name, Value(predicted, target, weights));
        return terms;
    }

    /// <summary>K layer pairs → their mean, one term <c>name</c>, plus each layer's value logged as "Layer{k}".</summary>
    public LossTerms ForwardLayers(IReadOnlyList<Tensor> predicted, IReadOnlyList<Tensor> targets)
    {
        if (predicted.Count != targets.Count || predicted.Count == 0)
            throw new ArgumentException($"expected as many predictions as targets (at least one), got {predicted.Count} and {targets.Count}");
        using var scope = DisposeScope.Begin();
        var values = predicted.Select((p, k) => Value(p, targets[k], null)).ToList();
        var total = values[0];
        for (var k = 1; k < values.Count; k++) total = total + values[k];
        var terms = new LossTerms();
        terms.Add(name, total / values.Count);
        for (var k = 0; k < values.Count; k++) terms.Add($"Layer{k}", values[k].Detach());
        return terms;
    }

    private Tensor Value(Tensor predicted, Tensor target, Tensor? weights)
    {
        using var scope = DisposeScope.Begin();
        var perToken = F.SmoothL1(predicted, target, Reduction.None, Beta).Mean(-1);    // [B, T]
        if (weights is null) return perToken.Mean().MoveToOuterScope();
        var w = weights.To(perToken.DType);
        return ((perToken * w).Sum() / w.Sum().ClampMin(1)).MoveToOuterScope();
    }
}
