using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// What the masked-image-modelling methods with a frozen CLIP teacher share (MaskDistill's view:
/// each is a choice of masking, student input, head, target, normalisation and loss). The student
/// is the online CLIP's image tower, any preset; the rest of that CLIP (text tower, projection,
/// logit scale) is frozen at its initialisation, so the run's <c>model/</c> is still a Hugging Face
/// CLIPModel that the evaluation commands read unchanged, with the trained image tower in it (use
/// its image features; its text side is untrained). Parameter names: model.*, teacher.model.*, then the method's own.
/// </summary>
public abstract class TeacherDistillMethod : PretrainingMethod
{
    private readonly double _defaultMaskRatio;
    private readonly string _defaultMasking;

    protected TeacherDistillMethod(Clip model, DistillOptions options, ClipTeacher? teacher, double defaultMaskRatio, string defaultMasking)
        : base(model)
    {
        options.Validate();
        Options = options;
        _defaultMaskRatio = defaultMaskRatio;
        _defaultMasking = defaultMasking;
        if (teacher is not null) Teacher = Register("teacher", teacher);
        model.Text.Freeze();
        model.Visual.Head.Freeze();
        model.LogitScale.RequiresGrad = false;
    }

    public DistillOptions Options { get; }

    /// <summary>The frozen teacher (null only for beitv2, whose targets come from its tokenizer).</summary>
    public ClipTeacher? Teacher { get; }

    public double MaskRatio => Options.MaskRatio ?? _defaultMaskRatio;

    public string Masking => Options.Masking ?? _defaultMasking;

    /// <summary>Whether the masking strategy ranks patches by a score (the teacher's class-token attention).</summary>
    protected bool MaskingNeedsScores =>
        !string.Equals(Masking, MaskingStrategies.RandomName, StringComparison.OrdinalIgnoreCase) &&
        !string.Equals(Masking, MaskingStrategies.BlockName, StringComparison.OrdinalIgnoreCase);

    /// <summary>The student's patch grid for this batch.</summary>
    protected PatchGrid Grid(PretrainBatch batch)
    {
        var (rows, cols) = Model.Visual.PatchEmbed.Grid(batch.Images.Size(2), batch.Images.Size(3));
        return new PatchGrid(rows, cols);
    }

    /// <summary>A fresh mask from the method's generator; <paramref name="scores"/> [B, N] for strategies that rank patches.</summary>
    protected PatchMask DrawMask(PretrainBatch batch, StepContext context, Tensor? scores)
    {
        if (MaskingNeedsScores && scores is null)
            throw new InvalidOperationException($"masking '{Masking}' ranks patches by the teacher's attention, which this method has not computed");
        return MaskingStrategies.Get(Masking)(batch.Count, Grid(batch), MaskRatio, context.Generator, scores);
    }

    /// <summary>LayerNorm without affine over the last dimension (the "whitened" targets of MaskDistill and MaskAlign).</summary>
    protected static Tensor Whiten(Tensor features) => F.LayerNorm(features, [features.Size(-1)]);

    /// <summary>Patch tokens of a [B, 1 + N, D] sequence: [B, N, D].</summary>
    protected static Tensor Patches(Tensor tokens) => tokens.Narrow(1, 1, tokens.Size(1) - 1);
}
