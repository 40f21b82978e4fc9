using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// A-CLIP's loss: CLIP's contrastive term on each online view (View1ContrastiveLoss,
/// View2ContrastiveLoss), SimCLR between the two online views (SimClrLoss) and BYOL's
/// 2 − 2·cos from the online predictor to the EMA encoder's projected cover (ByolLoss). Each term
/// carries its weight, so <see cref="LossTerms.Total"/> is what is optimised. Inputs stack the two
/// views as [2B, …]: view 1's rows first. The released code hands SimCLR view 1 twice (its second
/// input is the first half again), so there each row's "positive" is itself; here view 1 is
/// contrasted with view 2, and a row is never its own positive.
/// </summary>
public sealed class AClipLoss : ClipLoss
{
    public const string View1ContrastiveLoss = "View1ContrastiveLoss";
    public const string View2ContrastiveLoss = "View2ContrastiveLoss";
    public const string SimClrLoss = "SimClrLoss";
    public const string ByolLoss = "ByolLoss";

    private readonly AClipOptions _options;

    public AClipLoss(AClipOptions options) => _options = options;

    /// <param name="imageFeatures">L2-normalised online image embeddings [2B, E].</param>
    /// <param name="textFeatures">L2-normalised text embeddings [B, E].</param>
    /// <param name="logitScale">CLIP's (already exponentiated) temperature factor, 0-d.</param>
    /// <param name="simClr">The SimCLR head's outputs [2B, P] (not normalised).</param>
    /// <param name="predicted">The online BYOL predictor's outputs [2B, P].</param>
    /// <param name="target">The EMA BYOL projector's outputs on the covers [B, P], no graph.</param>
    public LossTerms Forward(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale, Tensor simClr, Tensor predicted, Tensor target)
    {
        var b = textFeatures.Size(0);
        if (imageFeatures.Size(0) != 2 * b || simClr.Size(0) != 2 * b || predicted.Size(0) != 2 * b || target.Size(0) != b)
            throw new ArgumentException($"expected two views of {b} images: [2B, ·] online inputs and a [B, ·] target");
        var terms = new LossTerms();
        try
        {
            terms.Add(View1ContrastiveLoss, Weighted(() => Contrastive(imageFeatures.Narrow(0, 0, b), textFeatures, logitScale), _options.ClipWeight));
            terms.Add(View2ContrastiveLoss, Weighted(() => Contrastive(imageFeatures.Narrow(0, b, b), textFeatures, logitScale), _options.ClipWeight));
            terms.Add(SimClrLoss, Weighted(() => SimClr(simClr.Narrow(0, 0, b), simClr.Narrow(0, b, b), _options.SimClrTemperature), _options.SimClrWeight));
            terms.Add(ByolLoss, Weighted(() => Byol(predicted, Tensor.Cat([target, target], 0)), _options.ByolWeight));
            return terms;
        }
        catch
        {
            terms.Dispose();
            throw;
        }
    }

    /// <summary>
    /// SimCLR's NT-Xent between views a and b [B, P]: row i of a has one positive, row i of b, and
    /// 2B − 2 negatives, the other rows of b and of a (its own row of a is left out). The mean of
    /// a's and b's cross-entropies over [a·bᵀ, a·aᵀ]/τ and [b·aᵀ, b·bᵀ]/τ, after L2 normalisation.
    /// </summary>
    public static Tensor SimClr(Tensor a, Tensor b, double temperature)
    {
        using var scope = DisposeScope.Begin();
        var n = a.Size(0);
        Tensor qa = F.Normalize(a), qb = F.Normalize(b);                                // [B, P]
        var ids = Tensor.Arange(n, ScalarType.Int64, a.Device);                         // [B]
        var self = ids.Unsqueeze(1).Eq(ids.Unsqueeze(0)).To(ScalarType.Float32) * 1e9;  // [B, B] removes i·i
        var ab = qa.MatMul(qb.MT) / temperature;                                        // [B, B]
        var aa = qa.MatMul(qa.MT) / temperature - self;
        var bb = qb.MatMul(qb.MT) / temperature - self;
        var lossA = F.CrossEntropy(Tensor.Cat([ab, aa], 1), ids);                      // positive: column i of a·bᵀ
        var lossB = F.CrossEntropy(Tensor.Cat([ab.MT, bb], 1), ids);
        return ((lossA + lossB) / 2).MoveToOuterScope();
    }

    /// <summary>BYOL's regression loss, mean over rows of 2 − 2·cos(p, z); z carries no gradient.</summary>
    public static Tensor Byol(Tensor predicted, Tensor target)
    {
        using var scope = DisposeScope.Begin();
        var cos = (F.Normalize(predicted) * F.Normalize(target.Detach())).Sum(1);        // [2B]
        return (2 - 2 * cos).Mean().MoveToOuterScope();
    }

    private static Tensor Weighted(Func<Tensor> loss, double weight)
    {
        using var scope = DisposeScope.Begin();
        return (loss() * weight).MoveToOuterScope();
    }
}
