using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Decoders;

/// <summary>
/// MaskCLIP's image decoder (MAE's layout): the student's class token and visible patch tokens
/// are projected to the decoder width, a learnable mask token fills every removed position, the
/// sequence is put back in patch order with the restore ids, positions are added, and a small
/// transformer predicts the teacher's feature for every patch.
/// Parameter names: mask_token [W], decoder.* (a <see cref="TokenDecoder"/> over 1 + N tokens).
/// </summary>
public sealed class PatchDecoder : Module
{
    public PatchDecoder(long inWidth, long width, int depth, long heads, long patches, long outWidth)
    {
        MaskToken = RegisterParameter("mask_token", Tensor.Empty([width]));
        Decoder = Register("decoder", new TokenDecoder(inWidth, width, depth, heads, 1 + patches, outWidth));
        using var noGrad = GradMode.NoGrad();
        MaskToken.Normal_(0, 0.02);
    }

    public Tensor MaskToken { get; }
    public TokenDecoder Decoder { get; }

    /// <summary>
    /// student tokens [B, 1 + K, D] (class token first, patches in <see cref="PatchMask.VisibleIds"/>
    /// order) → predicted features for every patch [B, N, out], in patch order.
    /// </summary>
    public Tensor Forward(Tensor studentTokens, PatchMask mask)
    {
        long b = studentTokens.Size(0), k = mask.Keep, n = mask.Grid.Count;
        if (studentTokens.Size(1) != 1 + k)
            throw new ArgumentException($"expected 1 + {k} student tokens, got {studentTokens.Size(1)}", nameof(studentTokens));
        using var scope = DisposeScope.Begin();
        var x = Decoder.Embed.Forward(studentTokens);                                   // [B, 1 + K, W]
        var w = x.Size(2);
        var fill = MaskToken.View(1, 1, w).Expand(b, n - k, w);                         // [B, N − K, W]
        var shuffled = Tensor.Cat([x.Narrow(1, 1, k), fill], 1);                        // [B, N, W] kept, then removed
        var index = mask.RestoreIds.Unsqueeze(-1).Expand(b, n, w);                      // [B, N, W]
        var patches = shuffled.Gather(1, index);                                        // [B, N, W] patch order
        var tokens = Tensor.Cat([x.Narrow(1, 0, 1), patches], 1);                       // [B, 1 + N, W]
        var predicted = Decoder.Decode(tokens);                                         // [B, 1 + N, out]
        return predicted.Narrow(1, 1, n).MoveToOuterScope();                            // [B, N, out]
    }
}
