using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// MaskDistill (Peng et al., 2022): block-wise masking of 40% of the patches, the student sees
/// every token with a mask token in the removed places, a linear head maps its final (LayerNormed)
/// patch tokens to the teacher's width, and the target is the teacher's last-layer patch features
/// after a LayerNorm without affine; smooth-L1 over the masked patches only.
/// Parameter names: model.*, teacher.*, mask_input.token, head.
/// </summary>
public sealed class MaskDistillMethod : TeacherDistillMethod
{
    public const string MethodName = "maskdistill";

    private readonly FeatureSmoothL1Loss _loss;

    public MaskDistillMethod(Clip model, DistillOptions options, ClipTeacher teacher)
        : base(model, options, teacher, defaultMaskRatio: 0.4, defaultMasking: MaskingStrategies.BlockName)
    {
        var width = model.Visual.Options.Width;
        MaskInput = Register("mask_input", new MaskTokenInput(width));
        Head = Register("head", new Linear(width, teacher.Width));
        _loss = new FeatureSmoothL1Loss(options.SmoothL1Beta);
        To(model.LogitScale.Device, model.LogitScale.DType);
    }

    public override string Name => MethodName;

    public MaskTokenInput MaskInput { get; }
    public Linear Head { get; }

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var teacher = Teacher!;
        using var pass = teacher.Run(batch.Images, Grid(batch), [teacher.Depth], lastAttention: MaskingNeedsScores);
        using var mask = DrawMask(batch, context, pass.ClsAttention);
        var target = Whiten(Patches(pass.Hidden[teacher.Depth]));                       // [B, N, Dt]
        using var trace = MaskInput.Encode(Model.Visual, batch.Images, mask.Mask);
        var predicted = Head.Forward(Patches(Model.Visual.Norm.Forward(trace.Output))); // [B, N, Dt]
        return _loss.Forward(predicted, target, mask.Mask);
    }
}
