using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// A CLIP model: an image tower and a text tower projecting into one embedding space, and a
/// learnable temperature. Parameter names: visual.*, text.*, logit_scale (stored as a log).
/// </summary>
public sealed class Clip : Module
{
    /// <summary>The largest factor the logits are multiplied by (CLIP's clamp, ln 100 ≈ 4.6052 in log space).</summary>
    public const double MaxLogitScale = 100;

    public Clip(ClipOptions options)
    {
        options.Validate();
        Options = options;
        Visual = Register("visual", BuildVisionTower(options));
        Text = Register("text", BuildTextTower(options));
        LogitScale = RegisterParameter("logit_scale", Tensor.Scalar(options.LogitScaleInit));
    }

    public ClipOptions Options { get; }
    public VisionTransformer Visual { get; }
    public TextTransformer Text { get; }

    /// <summary>The log of the logit scale, a 0-d learnable parameter.</summary>
    public Tensor LogitScale { get; }

    private static VisionTransformer BuildVisionTower(ClipOptions o) => new(o.Vision, o.EmbedDim);

    private static TextTransformer BuildTextTower(ClipOptions o) => new(o.Text, o.EmbedDim);

    /// <summary>images [B, C, H, W] → image embeddings [B, E], L2-normalised when asked.</summary>
    public Tensor EncodeImage(Tensor images, bool normalize = false)
    {
        using var scope = DisposeScope.Begin();
        var embedding = Visual.Forward(images);                                         // [B, E]
        return (normalize ? F.Normalize(embedding) : embedding).MoveToOuterScope();
    }

    /// <summary>ids [B, L] → text embeddings [B, E], L2-normalised when asked.</summary>
    public Tensor EncodeText(Tensor ids, bool normalize = false)
    {
        using var scope = DisposeScope.Begin();
        var embedding = Text.Forward(ids);                                              // [B, E]
        return (normalize ? F.Normalize(embedding) : embedding).MoveToOuterScope();
    }

    /// <summary>exp(logit_scale) clamped at <see cref="MaxLogitScale"/>, a 0-d tensor in the graph.</summary>
    public Tensor LogitScaleFactor()
    {
        using var scope = DisposeScope.Begin();
        return LogitScale.Exp().ClampMax(MaxLogitScale).MoveToOuterScope();
    }

    /// <summary>Scaled cosine similarities: per image [B_img, B_txt] and per text (its transpose).</summary>
    public (Tensor PerImage, Tensor PerText) GetLogits(Tensor images, Tensor ids)
    {
        using var scope = DisposeScope.Begin();
        var perImage = LogitsFromEmbeddings(EncodeImage(images, normalize: true), EncodeText(ids, normalize: true));
        return (perImage.MoveToOuterScope(), perImage.MT.MoveToOuterScope());
    }

    /// <summary>scale · image · textᵀ for already normalised embeddings [B_img, E] and [B_txt, E].</summary>
    public Tensor LogitsFromEmbeddings(Tensor imageEmbeds, Tensor textEmbeds)
    {
        using var scope = DisposeScope.Begin();
        return (LogitScaleFactor() * imageEmbeds.MatMul(textEmbeds.MT)).MoveToOuterScope();
    }
}
