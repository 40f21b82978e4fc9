using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// MILAN (Hou et al., 2022): 75% of the patches removed by sampling without replacement in
/// proportion to the teacher's last-layer class-token attention (so salient patches are more
/// likely kept), the student encodes the visible tokens only, a <see cref="PromptingDecoder"/>
/// predicts every token, and the target is the teacher's projected feature of every token (class
/// token included, after its final LayerNorm and projection); loss 2 − 2·cos.
/// Parameter names: model.*, teacher.*, decoder.*.
/// </summary>
public sealed class MilanMethod : TeacherDistillMethod
{
    public const string MethodName = "milan";

    private readonly FeatureCosineLoss _loss = new(scale: 2, "DistillLoss");

    public MilanMethod(Clip model, DistillOptions options, ClipTeacher teacher)
        : base(model, options, teacher, defaultMaskRatio: 0.75, defaultMasking: MaskingStrategies.SampledName)
    {
        var vision = model.Visual.Options;
        Decoder = Register("decoder", new PromptingDecoder(vision.Width, vision.Width, options.DecoderDepth, vision.Heads,
            (long)vision.GridSize * vision.GridSize, teacher.ProjectedWidth));
        To(model.LogitScale.Device, model.LogitScale.DType);
    }

    public override string Name => MethodName;

    public PromptingDecoder Decoder { get; }

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        using var pass = Teacher!.Run(batch.Images, Grid(batch), [], lastAttention: MaskingNeedsScores, projected: true);
        using var mask = DrawMask(batch, context, pass.ClsAttention);
        using var student = Model.Visual.Encode(batch.Images, mask.VisibleIds);
        var tokens = Model.Visual.Norm.Forward(student.LastHiddenState);                // [B, 1 + K, D]
        var predicted = Decoder.Forward(tokens, mask);                                  // [B, 1 + N, E]
        return _loss.Forward(predicted, pass.Projected!);
    }
}
