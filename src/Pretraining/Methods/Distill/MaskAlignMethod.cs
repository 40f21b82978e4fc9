using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// MaskAlign (Xue et al., CVPR 2023): the student sees only the visible 30% of the patches (drawn
/// ∝ the teacher's class-token attention by default, as the published code does; "random" is the
/// paper's other choice) and reconstructs nothing. Its per-block hidden states are mixed and
/// adapted (<see cref="LayerAdapters"/>) and aligned, at the visible positions and the class token,
/// to the teacher's top K layers after a LayerNorm without affine; smooth-L1, averaged over the K
/// layers. Parameter names: model.*, teacher.*, align.mixing, align.adapters.{k}.
/// </summary>
public sealed class MaskAlignMethod : TeacherDistillMethod
{
    public const string MethodName = "maskalign";

    private readonly FeatureSmoothL1Loss _loss;

    public MaskAlignMethod(Clip model, DistillOptions options, ClipTeacher teacher)
        : base(model, options, teacher, defaultMaskRatio: 0.7, defaultMasking: MaskingStrategies.SampledName)
    {
        var layers = model.Visual.Blocks.Depth;
        var aligned = Math.Min(options.TopLayers, Math.Min(layers, teacher.Depth));
        Align = Register("align", new LayerAdapters(layers, aligned, model.Visual.Options.Width, teacher.Width));
        _loss = new FeatureSmoothL1Loss(options.SmoothL1Beta);
        To(model.LogitScale.Device, model.LogitScale.DType);
    }

    public override string Name => MethodName;

    public LayerAdapters Align { get; }

    /// <summary>The teacher's hidden-state indices aligned, lowest first (its top K).</summary>
    public IReadOnlyList<int> TeacherLayers => Enumerable.Range(Teacher!.Depth - Align.AlignedLayers + 1, Align.AlignedLayers).ToList();

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var layers = TeacherLayers;
        using var pass = Teacher!.Run(batch.Images, Grid(batch), layers, lastAttention: MaskingNeedsScores);
        using var mask = DrawMask(batch, context, pass.ClsAttention);
        var depth = Model.Visual.Blocks.Depth;
        using var student = Model.Visual.Encode(batch.Images, mask.VisibleIds, keepHidden: Enumerable.Range(1, depth).ToList());
        var predicted = Align.Forward(Enumerable.Range(1, depth).Select(i => student.Hidden[i]).ToList()); // K × [B, 1 + K', Dt]
        var targets = layers.Select(l => AtVisible(Whiten(pass.Hidden[l]), mask.VisibleIds)).ToList();     // K × [B, 1 + K', Dt]
        return _loss.ForwardLayers(predicted, targets);
    }

    // The class token and the visible patches, in the student's token order: [B, 1 + K', D].
    private static Tensor AtVisible(Tensor tokens, Tensor visibleIds)
    {
        long b = visibleIds.Size(0), k = visibleIds.Size(1), d = tokens.Size(2);
        var patches = Patches(tokens).Gather(1, visibleIds.Unsqueeze(-1).Expand(b, k, d)); // [B, K', D]
        return Tensor.Cat([tokens.Narrow(1, 0, 1), patches], 1);
    }
}
