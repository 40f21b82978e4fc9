using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// FLIP (Li et al., CVPR 2023, "Scaling Language-Image Pre-training via Masking"): CLIP with a
/// random share of each image's patches dropped before the image tower, which then encodes only
/// the visible patches and the class token (no mask tokens, no decoder, no reconstruction), so the
/// image side costs about (1 − ratio) of CLIP's. The last <see cref="FlipOptions.UnmaskedTuningSteps"/>
/// steps of the run encode whole images ("unmasked tuning") to close the gap between training on
/// masked images and evaluating on full ones. Logged: PatchDropout, the share dropped this step.
/// </summary>
public sealed class FlipMethod : PretrainingMethod
{
    public const string MethodName = "flip";

    /// <summary>The logged (not optimised) term: the share of patches dropped at this step (0 in unmasked tuning).</summary>
    public const string PatchDropoutTerm = "PatchDropout";

    private readonly ClipLoss _loss = new();
    private readonly MaskingStrategy _masking;

    public FlipMethod(Clip model, FlipOptions options) : base(model)
    {
        options.Validate();
        Options = options;
        _masking = MaskingStrategies.Get(options.Masking);
    }

    public override string Name => MethodName;

    public FlipOptions Options { get; }

    /// <summary>Whether 0-based <paramref name="step"/> of <paramref name="totalSteps"/> drops patches (false in the final unmasked phase).</summary>
    public bool IsMasked(long step, long totalSteps) => step < totalSteps - Options.UnmaskedTuningSteps;

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var masked = IsMasked(context.Step, context.TotalSteps);
        var image = masked ? EncodeVisible(batch, context) : Model.EncodeImage(batch.Images);   // [B, E]
        var text = Model.EncodeText(batch.TokenIds);                                    // [B, E]
        var terms = _loss.Forward(F.Normalize(image), F.Normalize(text), Model.LogitScaleFactor());
        terms.Add(PatchDropoutTerm, Tensor.Scalar(masked ? Options.PatchDropout : 0, device: context.Device));
        return terms;
    }

    // The image tower on the visible patches only: [B, E].
    private Tensor EncodeVisible(PretrainBatch batch, StepContext context)
    {
        var (rows, cols) = Model.Visual.PatchEmbed.Grid(batch.Images.Size(2), batch.Images.Size(3));
        using var mask = _masking(batch.Count, new PatchGrid(rows, cols), Options.PatchDropout, context.Generator, scores: null);
        using var encoding = Model.Visual.Encode(batch.Images, mask.VisibleIds);
        return encoding.Embedding.View(encoding.Embedding.Shape);
    }
}
