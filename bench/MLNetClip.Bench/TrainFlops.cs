using MLNetClip.Models;

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
    public static double Step(string method, ClipOptions o, long textLength) => method switch
    {
        "clip" => Trained * (VisionForward(o, Patches(o)) + TextForward(o, textLength)),
        _ => throw new ArgumentException($"no FLOP count for method '{method}'", nameof(method)),
    };

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
