using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods;

namespace MLNetClip.Bench;

/// <summary>
/// Analytic matrix-product FLOPs of one training step, per image–caption pair, to set each
/// method's measured cost beside. Counted: 2 FLOPs per multiply–add of every matrix product in
/// the patch embedding, the attention projections, the attention scores and their weighted sum,
/// the MLPs, the projection heads and the decoders. Left out: LayerNorms, activations, softmax,
/// the losses and the optimiser, a few percent at these widths and much the same for every method.
/// A pass that is trained costs 3× its forward (the backward computes gradients for both the
/// activations and the weights, 2× the forward); a teacher pass under no-grad costs 1×.
/// </summary>
internal static class TrainFlops
{
    public const double Trained = 3;
    public const double NoGrad = 1;

    /// <summary>FLOPs of a training step of <paramref name="method"/> per pair, captions <paramref name="textLength"/> tokens long.</summary>
    public static double Step(string method, ClipOptions o, MaskClipOptions m, long textLength, AClipOptions? a = null, FlipOptions? f = null)
    {
        a ??= new AClipOptions();
        f ??= new FlipOptions();
        long n = Patches(o), k = PatchMasking.KeepCount(n, m.MaskRatio);
        double full = VisionForward(o, n), student = VisionForward(o, k), text = TextForward(o, textLength);
        // Both MaskCLIPs: the masked student and its decoder trained, the EMA teacher's full view without gradients,
        // and with the text branch (masked language modelling) a second, masked pass of the text tower, its decoder
        // and the word logits at the masked slots.
        var distillation = Trained * (student + PatchDecoder(o, m, k)) + NoGrad * full;
        var textBranch = m.TextBranch ? Trained * (text + TextDecoder(o, m, textLength) + WordLogits(o, m, textLength)) : 0;
        return method switch
        {
            "clip" => Trained * (full + text),
            // The contrastive loss sees the full image: the online tower's full pass comes on top.
            "maskclip" => Trained * (full + text) + distillation + textBranch,
            // The contrastive loss reads the student's embedding: the student pass is the only online image pass.
            "maskclip-efficient" => Trained * text + distillation + textBranch,
            // FLIP: the image tower trained on the visible share only (unmasked tuning steps are clip's).
            "flip" => Trained * (VisionForward(o, PatchMasking.KeepCount(n, f.PatchDropout)) + text),
            // A-CLIP: both online views trained on their kept patches, the heads on both, the EMA's cover without gradients.
            "aclip" => AClip(o, a, a.MaskRatio, text),
            "aclip-efficient" => AClip(o, a, a.EfficientMaskRatio, text),
            _ => throw new ArgumentException($"no FLOP count for method '{method}'", nameof(method)),
        };
    }

    /// <summary>
    /// A-CLIP's step: two online views of K kept patches each and the SimCLR and BYOL heads on
    /// both, trained; the EMA tower on the whole cover (its attention is the same products) and the
    /// EMA BYOL projector, not trained. The views' crops and the attention resampling are not products.
    /// </summary>
    public static double AClip(ClipOptions o, AClipOptions a, double maskRatio, double text)
    {
        long n = Patches(o), k = PatchMasking.KeepCount(n, maskRatio);
        double d = o.Vision.Width, h = a.HeadHidden > 0 ? a.HeadHidden : 4 * d, p = a.HeadOutput;
        double simClr = 2 * (d * h + h * h + h * p), byolProjector = 2 * (d * h + h * p), predictor = 2 * (p * h + h * p);
        return Trained * (2 * (VisionForward(o, k) + simClr + byolProjector + predictor) + text)
            + NoGrad * (VisionForward(o, n) + byolProjector);
    }

    /// <summary>The image tower's forward on <paramref name="visiblePatches"/> patches plus the class token, projection included.</summary>
    public static double VisionForward(ClipOptions o, long visiblePatches)
    {
        var v = o.Vision;
        var patchPixels = (long)v.Channels * v.PatchSize * v.PatchSize;
        return 2.0 * visiblePatches * patchPixels * v.Width
            + Transformer(1 + visiblePatches, v.Width, v.MlpHidden, v.Layers)
            + 2.0 * v.Width * o.EmbedDim;
    }

    /// <summary>The text tower's forward on <paramref name="length"/> tokens, projection included (the token table is a lookup, not a product).</summary>
    public static double TextForward(ClipOptions o, long length) =>
        Transformer(length, o.Text.Width, o.Text.MlpHidden, o.Text.Layers) + 2.0 * o.Text.Width * o.EmbedDim;

    /// <summary>
    /// The image decoder: the class and K visible tokens projected to its width, a transformer
    /// over the class token and all N patches (mask tokens at the removed ones), its output head.
    /// </summary>
    public static double PatchDecoder(ClipOptions o, MaskClipOptions m, long visiblePatches)
    {
        long d = o.Vision.Width, tokens = 1 + Patches(o);
        return 2.0 * (1 + visiblePatches) * d * d + Transformer(tokens, d, 4 * d, m.DecoderDepth) + 2.0 * tokens * d * d;
    }

    /// <summary>The text decoder: input projection, a transformer and the output head, over every caption token.</summary>
    public static double TextDecoder(ClipOptions o, MaskClipOptions m, long length)
    {
        long d = o.Text.Width;
        return 2.0 * length * d * d + Transformer(length, d, 4 * d, m.TextDecoderDepth) + 2.0 * length * d * d;
    }

    /// <summary>
    /// The masked-word logits: K slots per caption (enough for its masked words), each through the
    /// tied token table [V, Dt]: 2·K·Dt·V. With CLIP's 49,408-word vocabulary this is not small.
    /// </summary>
    public static double WordLogits(ClipOptions o, MaskClipOptions m, long length)
    {
        var slots = Math.Max(1, TextMasking.MaskCount(length - 2, m.TextMaskRatio));
        return 2.0 * slots * o.Text.Width * o.Text.VocabSize;
    }

    /// <summary>
    /// <paramref name="layers"/> pre-LN blocks on T tokens of width D with MLP width H: q, k, v and
    /// output projections 4·T·D², scores and weighted sum 2·T²·D (causal attention computes the
    /// full square and masks it), MLP 2·T·D·H; ×2 FLOPs per multiply–add.
    /// </summary>
    public static double Transformer(long tokens, long width, long mlpHidden, int layers)
    {
        double t = tokens, d = width, h = mlpHidden;
        return layers * 2.0 * (4 * t * d * d + 2 * t * t * d + 2 * t * d * h);
    }

    /// <summary>Patches per image at the trained size.</summary>
    public static long Patches(ClipOptions o) => (long)o.Vision.GridSize * o.Vision.GridSize;
}
