using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// A pre-LayerNorm transformer block: x + attn(norm1(x)), then + mlp(norm2(x)). Both CLIP towers
/// stack these; the text tower builds them causal.
/// </summary>
public sealed class Block : Module<Tensor, Tensor>
{
    /// <param name="width">Token width D.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>.</param>
    /// <param name="mlpRatio">MLP hidden width over D, rounded to the nearest integer width.</param>
    /// <param name="activation">The MLP activation (gelu, or quick_gelu for OpenAI weights).</param>
    /// <param name="causal">Each token attends only to itself and earlier tokens.</param>
    /// <param name="layerNormEps">Epsilon of both LayerNorms.</param>
    public Block(long width, long heads, double mlpRatio, Activation activation, bool causal = false, double layerNormEps = 1e-5)
    {
        if (mlpRatio <= 0) throw new ArgumentOutOfRangeException(nameof(mlpRatio), mlpRatio, "must be positive");
        Norm1 = Register("norm1", new LayerNorm(width, layerNormEps));
        Attn = Register("attn", new Attention(width, heads, causal));
        Norm2 = Register("norm2", new LayerNorm(width, layerNormEps));
        Mlp = Register("mlp", new Mlp(width, (long)Math.Round(width * mlpRatio), activation));
    }

    public LayerNorm Norm1 { get; }
    public Attention Attn { get; }
    public LayerNorm Norm2 { get; }
    public Mlp Mlp { get; }

    /// <summary>x [B, T, D] → [B, T, D].</summary>
    public override Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var h = x + Attn.Forward(Norm1.Forward(x));                                     // [B, T, D]
        return (h + Mlp.Forward(Norm2.Forward(h))).MoveToOuterScope();                  // [B, T, D]
    }

    /// <summary>As <see cref="Forward"/>, also returning the attention probabilities [B, H, T, T].</summary>
    public (Tensor Output, Tensor AttentionWeights) ForwardWithWeights(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var (mixed, weights) = Attn.ForwardWithWeights(Norm1.Forward(x));
        var h = x + mixed;                                                              // [B, T, D]
        var output = h + Mlp.Forward(Norm2.Forward(h));                                 // [B, T, D]
        return (output.MoveToOuterScope(), weights.MoveToOuterScope());
    }
}
