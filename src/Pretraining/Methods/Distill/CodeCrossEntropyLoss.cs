using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// BEiT v2's masked-image-modelling loss: cross-entropy of the predicted code distribution
/// against the tokenizer's code id, averaged over the masked patches only. "MimLoss" is
/// optimised; "CodeAccuracy" (top-1 over the masked patches) is logged.
/// </summary>
public sealed class CodeCrossEntropyLoss(string name = "MimLoss")
{
    /// <summary>logits [B, N, C], codes [B, N] i64, mask [B, N] (1 = masked, the positions that count).</summary>
    public LossTerms Forward(Tensor logits, Tensor codes, Tensor mask)
    {
        using var scope = DisposeScope.Begin();
        var c = logits.Size(2);
        var flatCodes = codes.Reshape(-1);                                              // [B·N]
        var perPatch = F.CrossEntropy(logits.Reshape(-1, c), flatCodes, Reduction.None); // [B·N]
        var w = mask.Reshape(-1).To(perPatch.DType);                                    // [B·N]
        var count = w.Sum().ClampMin(1);
        var terms = new LossTerms();
        terms.Add(name, (perPatch * w).Sum() / count);
        using (var noGrad = GradMode.NoGrad())
        {
            var hit = logits.Reshape(-1, c).ArgMax(1).Eq(flatCodes).To(perPatch.DType);  // [B·N]
            terms.Add("CodeAccuracy", (hit * w).Sum() / count);
        }
        return terms;
    }
}
