using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// Multi-head self-attention with separate q/k/v projections (the Hugging Face layout; open_clip's
/// fused <c>in_proj_weight</c> is split on import). The attention itself runs through
/// <see cref="F.ScaledDotProductAttention"/>; <see cref="ForwardWithWeights"/> spells it out so
/// the probabilities can be returned for attention maps.
/// </summary>
public sealed class Attention : Module<Tensor, Tensor>
{
    private readonly long _heads;
    private readonly long _headDim;
    private readonly bool _causal;

    public Attention(long width, long heads, bool causal = false)
    {
        if (heads <= 0 || width % heads != 0)
            throw new ArgumentException($"width {width} is not divisible by the head count {heads}", nameof(heads));
        _heads = heads;
        _headDim = width / heads;
        _causal = causal;
        QProj = Register("q_proj", new Linear(width, width));
        KProj = Register("k_proj", new Linear(width, width));
        VProj = Register("v_proj", new Linear(width, width));
        OutProj = Register("out_proj", new Linear(width, width));
    }

    public Linear QProj { get; }
    public Linear KProj { get; }
    public Linear VProj { get; }
    public Linear OutProj { get; }

    public long Heads => _heads;

    /// <summary>Self-attention over x [B, T, D]; returns [B, T, D].</summary>
    public override Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var (q, k, v) = SplitHeads(x);                                                  // each [B, H, T, Dh]
        var mixed = F.ScaledDotProductAttention(q, k, v, isCausal: _causal);            // [B, H, T, Dh]
        return MergeHeads(mixed, x.Shape).MoveToOuterScope();                           // [B, T, D]
    }

    /// <summary>
    /// The same result as <see cref="Forward"/>, plus the attention probabilities [B, H, T, T]
    /// (each row sums to 1). Slower: the probabilities are materialised.
    /// </summary>
    public (Tensor Output, Tensor Weights) ForwardWithWeights(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var (q, k, v) = SplitHeads(x);                                                  // each [B, H, T, Dh]
        var weights = F.AttentionWeights(q, k, CausalMask(x));                          // [B, H, T, T]
        var output = MergeHeads(weights.MatMul(v), x.Shape);                            // [B, T, D]
        return (output.MoveToOuterScope(), weights.MoveToOuterScope());
    }

    private (Tensor Q, Tensor K, Tensor V) SplitHeads(Tensor x)
    {
        var shape = x.Shape;
        long b = shape[0], t = shape[1];
        Tensor Heads(Linear proj) => proj.Forward(x).View(b, t, _heads, _headDim).Transpose(1, 2);
        return (Heads(QProj), Heads(KProj), Heads(VProj));
    }

    private Tensor MergeHeads(Tensor mixed, long[] inputShape) =>
        OutProj.Forward(mixed.Transpose(1, 2).Reshape(inputShape));                     // [B, T, D]

    // A bool mask (true = attend) for the explicit path; null when attention is bidirectional.
    private Tensor? CausalMask(Tensor x)
    {
        if (!_causal) return null;
        var t = x.Size(1);
        return Tensor.Ones([t, t], ScalarType.Bool, x.Device).Tril();                   // [T, T]
    }
}
