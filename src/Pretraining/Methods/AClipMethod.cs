using MLNetClip.Models;
using MLNetClip.Pretraining.Ema;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods.AClip;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// A-CLIP (Yang et al., ICCV 2023, "Attentive Mask CLIP"). Per image: two online crops and a cover
/// holding both (<see cref="OnlineViews"/>). The EMA encoder sees the cover whole; its class-token
/// attention to each patch, averaged over every layer and head, is carried into each online view's
/// box (<see cref="AttentionResampling"/>), and each view keeps its most attended patches. The
/// online tower encodes only those (both views in one pass). Losses (<see cref="AClipLoss"/>): CLIP
/// on each view, SimCLR between the views, BYOL from the online predictor to the EMA's projected
/// cover. The EMA (vision and text towers, both projections, the BYOL projector) follows a per-step
/// cosine momentum from 0.996 to 1. Parameter names: model.*, teacher.model.*, simclr_head.*,
/// byol_projector.*, byol_predictor.*, teacher_byol_projector.* (frozen).
/// </summary>
public class AClipMethod : PretrainingMethod
{
    public const string MethodName = "aclip";

    /// <summary>The logged (not optimised) term holding the EMA momentum applied after this step.</summary>
    public const string EmaMomentumTerm = "EmaMomentum";

    /// <summary>Linear layers in each head: SimCLR's and the BYOL projector 3 and 2, the BYOL predictor 2, as the released code builds them.</summary>
    private const int SimClrLayers = 3, ByolLayers = 2;

    private readonly AClipLoss _loss;
    private readonly MaskingStrategy _masking;
    private readonly Tensor[] _teacherHead;
    private readonly Tensor[] _studentHead;

    public AClipMethod(Clip model, AClipOptions options) : base(model)
    {
        options.Validate();
        Options = options;
        _loss = new AClipLoss(options);
        _masking = MaskingStrategies.Get(options.Masking);
        var width = model.Options.Vision.Width;
        long hidden = options.HeadHidden > 0 ? options.HeadHidden : 4 * width, output = options.HeadOutput;
        Teacher = Register("teacher", new EmaTeacher(model, options.BuildMomentumSchedule()));
        SimClrHead = Register("simclr_head", new ProjectionMlp(width, hidden, output, SimClrLayers));
        ByolProjector = Register("byol_projector", new ProjectionMlp(width, hidden, output, ByolLayers));
        ByolPredictor = Register("byol_predictor", new ProjectionMlp(output, hidden, output, ByolLayers));
        TeacherByolProjector = Register("teacher_byol_projector", new ProjectionMlp(width, hidden, output, ByolLayers));
        var state = ByolProjector.StateDict();
        try { TeacherByolProjector.LoadStateDict(state); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        TeacherByolProjector.Freeze();
        _teacherHead = TeacherByolProjector.Parameters().ToArray();
        _studentHead = ByolProjector.Parameters().ToArray();
        // The heads are built on the CPU; they follow the model's device and dtype.
        To(model.LogitScale.Device, model.LogitScale.DType);
    }

    public override string Name => MethodName;

    public AClipOptions Options { get; }
    public EmaTeacher Teacher { get; }
    public ProjectionMlp SimClrHead { get; }
    public ProjectionMlp ByolProjector { get; }
    public ProjectionMlp ByolPredictor { get; }
    public ProjectionMlp TeacherByolProjector { get; }

    /// <summary>Share of patches each online view removes: <see cref="AClipOptions.MaskRatio"/> here.</summary>
    public virtual double MaskRatio => Options.MaskRatio;

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        using var views = OnlineViews.For(batch, Options.CropMinScale, Options.CropMaxScale, context.Generator);
        var (coverAttention, target) = EncodeCovers(views.Covers);                      // [B, N], [B, P]
        var (rows, cols) = Model.Visual.PatchEmbed.Grid(views.Covers.Size(2), views.Covers.Size(3));
        using var mask = AttentiveMask(coverAttention, views.Boxes, new PatchGrid(rows, cols), context);
        using var online = Model.Visual.Encode(views.Online, mask.VisibleIds);          // 2B rows: view 1, then view 2
        var text = Model.EncodeText(batch.TokenIds);                                    // [B, E]
        var simClr = SimClrHead.Forward(online.Pooled);                                 // [2B, P]
        var predicted = ByolPredictor.Forward(ByolProjector.Forward(online.Pooled));    // [2B, P]
        var terms = _loss.Forward(F.Normalize(online.Embedding), F.Normalize(text), Model.LogitScaleFactor(), simClr, predicted, target);
        terms.Add(EmaMomentumTerm, Tensor.Scalar(Teacher.GetDecay(context.Step, context.TotalSteps), device: context.Device));
        return terms;
    }

    /// <summary>The EMA follows the online model and BYOL projector once per optimiser step.</summary>
    public override void AfterStep(StepContext context)
    {
        var decay = Teacher.GetDecay(context.Step, context.TotalSteps);
        Teacher.Update(decay);
        GradientUtils.EmaUpdate(_teacherHead, _studentHead, decay);
    }

    /// <summary>
    /// One mask over both views [2B, N]: each view's share of the cover's attention, resampled into its
    /// box, ranked by the chosen strategy.
    /// </summary>
    public PatchMask AttentiveMask(Tensor coverAttention, float[] boxes, PatchGrid grid, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var scores = Tensor.Cat([
            AttentionResampling.ForView(coverAttention, boxes, 0, 3, grid),
            AttentionResampling.ForView(coverAttention, boxes, 1, 3, grid)], 0);       // [2B, N]
        return _masking(scores.Size(0), grid, MaskRatio, context.Generator, scores);
    }

    // The EMA encoder on the covers, no graph: class-token attention per patch [B, N] and the
    // EMA BYOL projector's output [B, P].
    private (Tensor Attention, Tensor Target) EncodeCovers(Tensor covers)
    {
        using var noGrad = GradMode.NoGrad();
        using var encoding = Teacher.Model.Visual.Encode(covers, attentionMap: true);
        return (encoding.ClsToPatchAttention(), TeacherByolProjector.Forward(encoding.Pooled));
    }
}
