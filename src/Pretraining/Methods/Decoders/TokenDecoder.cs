using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Decoders;

/// <summary>
/// A small bidirectional transformer that maps an encoder's token features to target features,
/// position by position: Linear in → + learned positions → blocks → LayerNorm → Linear out.
/// MaskCLIP's text decoder is one; <see cref="PatchDecoder"/> wraps one for images.
/// Parameter names: embed, pos_embed [MaxTokens, W], blocks, norm, head.
/// </summary>
public sealed class TokenDecoder : Module<Tensor, Tensor>
{
    /// <param name="inWidth">Width of the encoder tokens it reads.</param>
    /// <param name="width">Its own width W.</param>
    /// <param name="depth">Transformer blocks.</param>
    /// <param name="heads">Attention heads; must divide <paramref name="width"/>.</param>
    /// <param name="maxTokens">Longest token sequence (the size of its position table).</param>
    /// <param name="outWidth">Width of the predicted features.</param>
    public TokenDecoder(long inWidth, long width, int depth, long heads, long maxTokens, long outWidth)
    {
        Embed = Register("embed", new Linear(inWidth, width));
        PosEmbed = RegisterParameter("pos_embed", Tensor.Empty([maxTokens, width]));
        Blocks = Register("blocks", new Transformer(width, depth, heads, mlpRatio: 4, Activation.Gelu, causal: false, layerNormEps: 1e-5));
        Norm = Register("norm", new LayerNorm(width));
        Head = Register("head", new Linear(width, outWidth));
        using var noGrad = GradMode.NoGrad();
        PosEmbed.Normal_(0, 0.02);
    }

    public Linear Embed { get; }
    public Tensor PosEmbed { get; }
    public Transformer Blocks { get; }
    public LayerNorm Norm { get; }
    public Linear Head { get; }

    /// <summary>tokens [B, T, inWidth] → predictions [B, T, outWidth].</summary>
    public override Tensor Forward(Tensor tokens)
    {
        using var scope = DisposeScope.Begin();
        return Decode(Embed.Forward(tokens)).MoveToOuterScope();                       // [B, T, out]
    }

    /// <summary>Already embedded tokens [B, T, W] (T ≤ MaxTokens) → predictions [B, T, outWidth].</summary>
    public Tensor Decode(Tensor embedded)
    {
        var t = embedded.Size(1);
        if (t > PosEmbed.Size(0))
            throw new ArgumentException($"the decoder takes at most {PosEmbed.Size(0)} tokens, got {t}", nameof(embedded));
        using var scope = DisposeScope.Begin();
        var h = Blocks.Forward(embedded + PosEmbed.Narrow(0, 0, t));                   // [B, T, W]
        return Head.Forward(Norm.Forward(h)).MoveToOuterScope();                        // [B, T, out]
    }
}
