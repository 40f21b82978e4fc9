using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// The CLIP text tower: token plus learned position embeddings, a causal transformer, a final
/// LayerNorm, the end-of-text token pooled, and a bias-free projection into the joint space.
/// Parameter names: token_embed, pos_embed [ContextLength, D], blocks, norm, head.
/// </summary>
public sealed class TextTransformer : Module<Tensor, Tensor>
{
    private readonly TextTowerOptions _options;

    /// <param name="options">Tower dimensions; validated here.</param>
    /// <param name="embedDim">Output width of the projection; 0 leaves the pooled features unprojected.</param>
    public TextTransformer(TextTowerOptions options, long embedDim)
    {
        options.Validate();
        _options = options;
        long width = options.Width;
        TokenEmbed = Register("token_embed", new Embedding(options.VocabSize, width));
        PosEmbed = RegisterParameter("pos_embed", Tensor.Empty([options.ContextLength, width]));
        Blocks = Register("blocks", new Transformer(width, options.Layers, options.Heads, options.MlpRatio,
            options.Activation, causal: true, options.LayerNormEps));
        Norm = Register("norm", new LayerNorm(width, options.LayerNormEps));
        Head = Register<Module<Tensor, Tensor>>("head", embedDim > 0 ? new Linear(width, embedDim, bias: false) : new Identity());
        TowerInit.Text(this);
    }

    public TextTowerOptions Options => _options;
    public Embedding TokenEmbed { get; }
    public Tensor PosEmbed { get; }
    public Transformer Blocks { get; }
    public LayerNorm Norm { get; }

    /// <summary>The projection (a bias-free Linear), or Identity when the tower is unprojected.</summary>
    public Module<Tensor, Tensor> Head { get; }

    /// <summary>ids [B, L] (L ≤ ContextLength) → projected, unnormalised embeddings [B, E].</summary>
    public override Tensor Forward(Tensor ids)
    {
        using var encoding = Encode(ids);
        return encoding.Embedding.View(encoding.Embedding.Shape);
    }

    /// <summary>
    /// The full encoding; <paramref name="keepHidden"/> selects hidden states (0 = embeddings, i = after block i).
    /// For masked-token objectives, <paramref name="replaced"/> (bool [B, L], true = replace) swaps those
    /// positions' token embeddings for <paramref name="replacement"/> [D] (a learnable mask embedding);
    /// positions and pooling still follow <paramref name="ids"/>.
    /// </summary>
    public TextEncoding Encode(Tensor ids, IReadOnlyCollection<int>? keepHidden = null, Tensor? replaced = null, Tensor? replacement = null)
    {
        CheckIds(ids);
        CheckReplacement(ids, replaced, replacement);
        using var scope = DisposeScope.Begin();
        var trace = Blocks.ForwardTraced(EmbedTokens(ids, replaced, replacement), keepHidden);
        var normed = Norm.Forward(trace.Output);                                        // [B, L, D]
        var pooled = Pool(normed, ids);                                                 // [B, D]
        var embedding = Head.Forward(pooled);                                           // [B, E]
        return new TextEncoding(trace, normed, pooled, embedding);
    }

    private Tensor EmbedTokens(Tensor ids, Tensor? replaced, Tensor? replacement)
    {
        var positions = PosEmbed.Narrow(0, 0, ids.Size(1));                             // [L, D]
        var tokens = TokenEmbed.Forward(ids);                                           // [B, L, D]
        if (replaced is not null)
            tokens = Tensor.Where(replaced.Unsqueeze(-1), replacement!, tokens);        // [B, L, D]
        return tokens + positions;                                                      // [B, L, D]
    }

    private void CheckReplacement(Tensor ids, Tensor? replaced, Tensor? replacement)
    {
        if (replaced is null && replacement is null) return;
        if (replaced is null || replacement is null)
            throw new ArgumentException("replaced positions and their replacement embedding come together");
        if (replaced.DType != ScalarType.Bool || !replaced.Shape.SequenceEqual(ids.Shape))
            throw new ArgumentException($"replaced positions must be bool [{string.Join(", ", ids.Shape)}] like the ids, got {replaced}", nameof(replaced));
        if (replacement.Dim != 1 || replacement.Size(0) != _options.Width)
            throw new ArgumentException($"the replacement embedding must be [{_options.Width}], got {replacement}", nameof(replacement));
    }

    /// <summary>The row of each caption's end token [B] (see <see cref="TextPooling"/>).</summary>
    public Tensor EndTokenIndex(Tensor ids) => _options.Pooling switch
    {
        TextPooling.ArgMax => ids.ArgMax(-1),                                           // [B]
        // Ties in argmax resolve to the first index, which is what "first eos" needs.
        TextPooling.FirstEos => EosFlags(ids).ArgMax(-1),                               // [B]
        _ => throw new InvalidOperationException($"unknown pooling {_options.Pooling}"),
    };

    private Tensor EosFlags(Tensor ids)
    {
        using var scope = DisposeScope.Begin();
        return ids.Eq(_options.EosTokenId).To(ScalarType.Int64).MoveToOuterScope();     // [B, L]
    }

    private Tensor Pool(Tensor normed, Tensor ids)
    {
        var b = normed.Size(0);
        var rows = EndTokenIndex(ids).View(b, 1, 1).Expand(b, 1, _options.Width);      // [B, 1, D]
        return normed.Gather(1, rows).Squeeze(1);                                       // [B, D]
    }

    private void CheckIds(Tensor ids)
    {
        if (ids.Dim != 2 || ids.DType != ScalarType.Int64)
            throw new ArgumentException($"token ids must be i64 [B, L], got {ids}", nameof(ids));
        if (ids.Size(1) < 1 || ids.Size(1) > _options.ContextLength)
            throw new ArgumentException($"token rows must have 1..{_options.ContextLength} ids (the context length), got {ids.Size(1)}", nameof(ids));
        // Reading the range back would stall a GPU on every forward, so only host tensors are
        // range-checked; the training loop tokenises and trims on the host before the transfer.
        if (ids.NumberOfElements == 0 || ids.Device.IsCuda) return;
        using var scope = DisposeScope.Begin();
        long min = ids.Min().ItemInt64(), max = ids.Max().ItemInt64();
        if (min < 0 || max >= _options.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(ids), $"token ids must be in 0..{_options.VocabSize - 1}, got {min}..{max}");
    }
}
