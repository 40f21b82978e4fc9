using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// MaskCLIP as published (Dong et al., CVPR 2023): the contrastive loss sees the full image, so
/// the online image tower runs twice per image, once on the full image and once as the masked
/// student, and the EMA teacher a third time without gradients.
/// </summary>
public sealed class MaskClipMethod : MaskClipMethodBase
{
    public const string MethodName = "maskclip";

    public MaskClipMethod(Clip model, MaskClipOptions options) : base(model, options) { }

    public override string Name => MethodName;

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        using var mask = DrawMask(batch, context);
        using var student = EncodeStudent(batch, mask);
        var image = Model.EncodeImage(batch.Images);                                    // [B, E] full view
        var text = Model.EncodeText(batch.TokenIds);                                    // [B, E]
        return Loss(image, text, PredictPatches(batch, student, mask), PredictMaskedWords(batch, context), context);
    }
}
