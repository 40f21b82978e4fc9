using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>
/// CLIP with a hook on its loss: <see cref="Poison"/> makes chosen steps non-finite, and the
/// optional noise draws from both the method's generator and the global one, so resume tests see
/// every random stream in use.
/// </summary>
internal sealed class HookedClipMethod(Clip model) : PretrainingMethod(model)
{
    private readonly ClipLoss _loss = new();

    public override string Name => "clip";

    /// <summary>0-based steps whose loss is multiplied by this value (NaN or infinity).</summary>
    public Func<long, double?> Poison { get; init; } = _ => null;

    /// <summary>Adds a finite loss term whose gradient is NaN (sqrt at 0) on the chosen steps.</summary>
    public Func<long, bool> PoisonGradient { get; init; } = _ => false;

    public bool Noise { get; init; }

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var images = batch.Images;
        if (Noise)
        {
            var fromMethod = Tensor.Randn(images.Shape, generator: context.Generator, device: images.Device);   // [B, 3, S, S]
            var fromGlobal = Tensor.Rand([images.Size(0), 1, 1, 1], device: images.Device);                     // [B, 1, 1, 1]
            images = images + fromMethod * 0.1 * fromGlobal;
        }
        var image = Model.EncodeImage(images, normalize: true);                        // [B, E]
        var text = Model.EncodeText(batch.TokenIds, normalize: true);                  // [B, E]
        var clip = _loss.Forward(image, text, Model.LogitScaleFactor());
        var terms = new LossTerms();
        var contrastive = clip[ClipLoss.ContrastiveLoss];
        terms.Add(ClipLoss.ContrastiveLoss, Poison(context.Step) is { } factor ? contrastive * factor : contrastive.View([]));
        if (PoisonGradient(context.Step))
        {
            var zero = Model.LogitScale - Model.LogitScale.Detach();                    // 0, with a gradient path
            terms.Add("KinkLoss", zero.Abs().Sqrt());
        }
        terms.Add("Accuracy", image.MatMul(text.MT).ArgMax(-1).Eq(Tensor.Arange(image.Size(0), ScalarType.Int64, image.Device))
            .To(ScalarType.Float32).Mean());
        clip.Dispose();
        return terms;
    }
}

/// <summary>
/// A per-sample loss (mean squared image embedding plus mean squared text embedding), so one
/// batch and the same batch in micro-batches must give the same gradient.
/// </summary>
internal sealed class MeanSquareMethod(Clip model) : PretrainingMethod(model)
{
    public override string Name => "mean-square";

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var image = Model.EncodeImage(batch.Images);                                   // [B, E]
        var text = Model.EncodeText(batch.TokenIds);                                   // [B, E]
        var terms = new LossTerms();
        terms.Add("SquareLoss", image.Square().Sum(-1).Mean() + text.Square().Sum(-1).Mean() + Model.LogitScale * 0);
        return terms;
    }
}

/// <summary>A loss that only pushes the logit scale up, to watch the clamp hold it at ln 100.</summary>
internal sealed class LogitPushMethod(Clip model) : PretrainingMethod(model)
{
    public override string Name => "logit-push";

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var image = Model.EncodeImage(batch.Images);                                   // [B, E]
        var terms = new LossTerms();
        terms.Add("PushLoss", -Model.LogitScale * 1000 + image.Mean() * 0);
        return terms;
    }
}
