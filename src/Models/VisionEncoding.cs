using MLNetClip.Torch;

namespace MLNetClip.Models;

/// <summary>
/// Everything one pass of the image tower produced. Owns its tensors (each a separate handle,
/// outside any dispose scope); dispose it when done.
/// </summary>
public sealed class VisionEncoding : IDisposable
{
    private readonly TransformerTrace _trace;

    internal VisionEncoding(TransformerTrace trace, Tensor pooled, Tensor embedding)
    {
        _trace = trace;
        Pooled = pooled.DetachFromScope();
        Embedding = embedding.DetachFromScope();
    }

    /// <summary>Output of the last block, before the final LayerNorm [B, 1 + K, D] (Hugging Face's last_hidden_state).</summary>
    public Tensor LastHiddenState => _trace.Output;

    /// <summary>Final-LayerNormed, pooled features before the projection [B, D].</summary>
    public Tensor Pooled { get; }

    /// <summary>Projected, unnormalised image embedding [B, E].</summary>
    public Tensor Embedding { get; }

    /// <summary>Kept hidden states by index: 0 = after norm_pre, i = after block i; each [B, 1 + K, D].</summary>
    public IReadOnlyDictionary<int, Tensor> Hidden => _trace.Hidden;

    /// <summary>Attention probabilities averaged over heads and layers [B, 1 + K, 1 + K], when asked for; rows sum to 1.</summary>
    public Tensor? MeanAttention => _trace.MeanAttention;

    /// <summary>
    /// The class token's averaged attention to each patch token [B, K] (a new tensor). It is the
    /// class-token row of <see cref="MeanAttention"/> without its own column, so it sums to less than 1.
    /// </summary>
    public Tensor ClsToPatchAttention()
    {
        var map = MeanAttention ?? throw new InvalidOperationException("encode with attentionMap: true to get attention maps");
        using var scope = DisposeScope.Begin();
        return map.Select(1, 0).Narrow(1, 1, map.Size(2) - 1).MoveToOuterScope();        // [B, K]
    }

    public void Dispose()
    {
        _trace.Dispose();
        Pooled.Dispose();
        Embedding.Dispose();
    }
}
