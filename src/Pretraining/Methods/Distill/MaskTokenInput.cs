using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// The "all tokens, masked ones replaced" student input (BEiT, MaskDistill): a learnable mask
/// embedding takes the place of every removed patch's embedding before positions are added, and
/// the unchanged image tower encodes all 1 + N tokens. Parameter names: token [D].
/// </summary>
public sealed class MaskTokenInput : Module
{
    public MaskTokenInput(long width)
    {
        Token = RegisterParameter("token", Tensor.Empty([width]));
        using var noGrad = GradMode.NoGrad();
        Token.TruncNormal_(0, 0.02);
    }

    public Tensor Token { get; }

    /// <summary>
    /// images [B, 3, H, W] and mask [B, N] (0 = keep, 1 = remove) through <paramref name="tower"/>'s
    /// blocks; the trace's output is the last block's [B, 1 + N, D] (before the final LayerNorm).
    /// </summary>
    public TransformerTrace Encode(VisionTransformer tower, Tensor images, Tensor mask, IReadOnlyCollection<int>? keepHidden = null)
    {
        using var scope = DisposeScope.Begin();
        var (rows, cols) = tower.PatchEmbed.Grid(images.Size(2), images.Size(3));
        var d = tower.Options.Width;
        var patches = tower.PatchEmbed.Forward(images);                                 // [B, N, D]
        var removed = mask.To(patches.DType).Unsqueeze(-1);                             // [B, N, 1]
        var filled = patches * (1.0 - removed) + Token.View(1, 1, d) * removed;         // [B, N, D]
        var b = images.Size(0);
        var cls = (tower.ClsToken + tower.PosEmbed.Select(0, 0)).View(1, 1, d).Expand(b, 1, d); // [B, 1, D]
        var tokens = Tensor.Cat([cls, filled + tower.PatchPositions(rows, cols)], 1);  // [B, 1 + N, D]
        return tower.Blocks.ForwardTraced(tower.NormPre.Forward(tokens), keepHidden);
    }
}
