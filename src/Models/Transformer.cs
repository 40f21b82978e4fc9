using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// A stack of <see cref="Block"/>s, registered as "0", "1", …. Besides the plain forward it can
/// trace the pass: keep chosen intermediate hidden states and average the attention maps.
/// </summary>
public sealed class Transformer : Module<Tensor, Tensor>
{
    private readonly List<Block> _blocks = new();

    public Transformer(long width, int layers, long heads, double mlpRatio, Activation activation, bool causal, double layerNormEps)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "a transformer needs at least one layer");
        for (var i = 0; i < layers; i++)
            _blocks.Add(Register(i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new Block(width, heads, mlpRatio, activation, causal, layerNormEps)));
    }

    public IReadOnlyList<Block> Blocks => _blocks;

    public int Depth => _blocks.Count;

    /// <summary>x [B, T, D] through every block → [B, T, D].</summary>
    public override Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var h = x;
        foreach (var block in _blocks) h = block.Forward(h);                            // [B, T, D]
        return h.MoveToOuterScope();
    }

    /// <summary>
    /// The forward pass, also keeping hidden states and/or the attention maps.
    /// Hidden state 0 is the input of the first block and state i the output of block i
    /// (Hugging Face's <c>hidden_states</c> numbering), so valid indices are 0..Depth.
    /// The attention map is the softmax probabilities averaged over heads and layers [B, T, T].
    /// </summary>
    public TransformerTrace ForwardTraced(Tensor x, IReadOnlyCollection<int>? keepHidden = null, bool averageAttention = false)
    {
        var keep = keepHidden ?? [];
        foreach (var i in keep)
            if (i < 0 || i > Depth)
                throw new ArgumentOutOfRangeException(nameof(keepHidden), i, $"hidden-state index must be in 0..{Depth}");

        using var scope = DisposeScope.Begin();
        var hidden = new SortedDictionary<int, Tensor>();
        Tensor? attentionSum = null;
        var h = x;
        if (keep.Contains(0)) hidden[0] = h.View(h.Shape);
        for (var i = 0; i < _blocks.Count; i++)
        {
            if (averageAttention)
            {
                var (output, weights) = _blocks[i].ForwardWithWeights(h);               // weights [B, H, T, T]
                var headMean = weights.Mean(1);                                         // [B, T, T]
                attentionSum = attentionSum is null ? headMean : attentionSum + headMean;
                h = output;
            }
            else
            {
                h = _blocks[i].Forward(h);                                              // [B, T, D]
            }
            if (keep.Contains(i + 1)) hidden[i + 1] = h.View(h.Shape);       // own handle, so it moves out alone
        }

        var meanAttention = attentionSum is null ? null : attentionSum / Depth;
        return new TransformerTrace(h, hidden, meanAttention);
    }
}

/// <summary>
/// What <see cref="Transformer.ForwardTraced"/> kept. Owns its tensors, each a separate handle
/// (the last hidden state shares storage with <see cref="Output"/>); dispose it when done.
/// </summary>
public sealed class TransformerTrace : IDisposable
{
    // Takes the tensors out of every dispose scope: from here on this object owns them.
    internal TransformerTrace(Tensor output, IReadOnlyDictionary<int, Tensor> hidden, Tensor? meanAttention)
    {
        output.DetachFromScope();
        foreach (var t in hidden.Values) t.DetachFromScope();
        meanAttention?.DetachFromScope();
        Output = output;
        Hidden = hidden;
        MeanAttention = meanAttention;
    }

    /// <summary>The output of the last block [B, T, D].</summary>
    public Tensor Output { get; }

    /// <summary>Kept hidden states by index (0 = input of the first block).</summary>
    public IReadOnlyDictionary<int, Tensor> Hidden { get; }

    /// <summary>Attention probabilities averaged over heads and layers [B, T, T], when asked for.</summary>
    public Tensor? MeanAttention { get; }

    public void Dispose()
    {
        Output.Dispose();
        foreach (var t in Hidden.Values) t.Dispose();
        MeanAttention?.Dispose();
    }
}
