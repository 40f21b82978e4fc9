using MLNetClip.Models;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// A-CLIP-eff, the paper's cheaper variant: everything as <see cref="AClipMethod"/>, but each
/// online view keeps only a quarter of its patches (<see cref="AClipOptions.EfficientMaskRatio"/>,
/// 0.75 removed), so the online tower encodes half an image's worth of tokens per image over both
/// views where A-CLIP encodes a whole one. On ViT-B/16 that is 0.86× CLIP's training FLOPs (the
/// paper's 0.86× time); docs/methods.md sets out how this reading of the paper was reached.
/// </summary>
public sealed class AClipEfficientMethod : AClipMethod
{
    public new const string MethodName = "aclip-efficient";

    public AClipEfficientMethod(Clip model, AClipOptions options) : base(model, options) { }

    public override string Name => MethodName;

    public override double MaskRatio => Options.EfficientMaskRatio;
}
