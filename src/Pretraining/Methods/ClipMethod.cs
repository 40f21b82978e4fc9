using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>CLIP: the symmetric InfoNCE loss between full images and their captions.</summary>
public sealed class ClipMethod : PretrainingMethod
{
    public const string MethodName = "clip";

    private readonly ClipLoss _loss = new();

    public ClipMethod(Clip model) : base(model) { }

    public override string Name => MethodName;

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var image = Model.EncodeImage(batch.Images, normalize: true);                  // [B, E]
        var text = Model.EncodeText(batch.TokenIds, normalize: true);                  // [B, E]
        return _loss.Forward(image, text, Model.LogitScaleFactor());
    }
}
