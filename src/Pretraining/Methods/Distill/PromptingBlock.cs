using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// One block of MILAN's prompting decoder. Only the mask tokens are queries and only they are
/// updated; the visible tokens are prompts: LayerNormed, they join the keys and values (beside the
/// mask tokens themselves) and nothing else, so they leave the block exactly as they came.
/// Parameter names: norm1, attn (q/k/v/out projections), norm2, mlp.
/// </summary>
public sealed class PromptingBlock : Module
{
    public PromptingBlock(long width, long heads)
    {
        Norm1 = Register("norm1", new LayerNorm(width));
        Attn = Register("attn", new Attention(width, heads));
        Norm2 = Register("norm2", new LayerNorm(width));
        Mlp = Register("mlp", new Mlp(width, 4 * width, Activation.Gelu));
    }

    public LayerNorm Norm1 { get; }
    public Attention Attn { get; }
    public LayerNorm Norm2 { get; }
    public Mlp Mlp { get; }

    /// <summary>queries [B, M, W] (mask tokens), prompts [B, T, W] (visible tokens, fixed) → updated queries [B, M, W].</summary>
    public Tensor Forward(Tensor queries, Tensor prompts)
    {
        using var scope = DisposeScope.Begin();
        var q = Norm1.Forward(queries);                                                 // [B, M, W]
        var kv = Tensor.Cat([Norm1.Forward(prompts), q], 1);                            // [B, T + M, W]
        var h = queries + CrossAttend(q, kv);                                           // [B, M, W]
        return (h + Mlp.Forward(Norm2.Forward(h))).MoveToOuterScope();                  // [B, M, W]
    }

    private Tensor CrossAttend(Tensor q, Tensor kv)
    {
        long b = q.Size(0), m = q.Size(1), t = kv.Size(1), w = q.Size(2), heads = Attn.Heads, dh = w / heads;
        var query = Attn.QProj.Forward(q).View(b, m, heads, dh).Transpose(1, 2);        // [B, H, M, Dh]
        var key = Attn.KProj.Forward(kv).View(b, t, heads, dh).Transpose(1, 2);         // [B, H, T + M, Dh]
        var value = Attn.VProj.Forward(kv).View(b, t, heads, dh).Transpose(1, 2);       // [B, H, T + M, Dh]
        var mixed = F.ScaledDotProductAttention(query, key, value);                     // [B, H, M, Dh]
        return Attn.OutProj.Forward(mixed.Transpose(1, 2).Reshape(b, m, w));            // [B, M, W]
    }
}
