using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// MaskCLIP with the contrastive loss on the student's visible-patch view (as FLIP and A-CLIP's
/// efficient variant do), so the online image tower runs once per image, on a quarter of its
/// patches. Distillation and the text branch are those of <see cref="MaskClipMethod"/>.
/// </summary>
public sealed class MaskClipEfficientMethod : MaskClipMethodBase
{
    public const string MethodName = "maskclip-efficient";

    public MaskClipEfficientMethod(Clip model, MaskClipOptions options) : base(model, options) { }

    public override string Name => MethodName;

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        using var mask = DrawMask(batch, context);
        using var student = EncodeStudent(batch, mask);
        var text = Model.EncodeText(batch.TokenIds);                                    // [B, E]
        return Loss(student.Embedding, text, PredictPatches(batch, student, mask), PredictMaskedWords(batch, context), context);
    }
}
