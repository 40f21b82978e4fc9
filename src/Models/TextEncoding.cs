using MLNetClip.Torch;

namespace MLNetClip.Models;

/// <summary>
/// Everything one pass of the text tower produced. Owns its tensors (each a separate handle,
/// outside any dispose scope); dispose it when done.
/// </summary>
public sealed class TextEncoding : IDisposable
{
    private readonly TransformerTrace _trace;

    internal TextEncoding(TransformerTrace trace, Tensor lastHiddenState, Tensor pooled, Tensor embedding)
    {
        _trace = trace;
        LastHiddenState = lastHiddenState.DetachFromScope();
        Pooled = pooled.DetachFromScope();
        Embedding = embedding.DetachFromScope();
    }

    /// <summary>Every token after the final LayerNorm [B, L, D] (Hugging Face's last_hidden_state for text).</summary>
    public Tensor LastHiddenState { get; }

    /// <summary>The end token's final-LayerNormed features before the projection [B, D].</summary>
    public Tensor Pooled { get; }

    /// <summary>Projected, unnormalised text embedding [B, E].</summary>
    public Tensor Embedding { get; }

    /// <summary>Kept hidden states by index: 0 = token + position embeddings, i = after block i; each [B, L, D].</summary>
    public IReadOnlyDictionary<int, Tensor> Hidden => _trace.Hidden;

    public void Dispose()
    {
        _trace.Dispose();
        LastHiddenState.Dispose();
        Pooled.Dispose();
        Embedding.Dispose();
    }
}
