using MLNetClip.Pretraining.Ema;
using MLNetClip.Pretraining.Masking;

namespace MLNetClip.Pretraining.Methods;

/// <summary>A-CLIP's options (aclip and aclip-efficient). docs/methods.md lists each beside the paper's value.</summary>
public sealed record AClipOptions
{
    /// <summary>Share of patches removed from each online view, in (0, 1). Default 0.5 (each view keeps 50%, the paper's).</summary>
    public double MaskRatio { get; init; } = 0.5;

    /// <summary>aclip-efficient's share removed from each online view. Default 0.75 (docs/methods.md says why).</summary>
    public double EfficientMaskRatio { get; init; } = 0.75;

    /// <summary>
    /// How each online view's kept patches are chosen from the EMA attention: attentive (top-k
    /// patches), attentive-blocks (top 2×2 blocks, as the released code does), sampled (∝ attention)
    /// or, for ablations, random or block. Default attentive.
    /// </summary>
    public string Masking { get; init; } = MaskingStrategies.AttentiveName;

    /// <summary>Smallest online crop area as a share of the image. Default 0.5, the paper's.</summary>
    public double CropMinScale { get; init; } = 0.5;

    /// <summary>Largest online crop area as a share of the image. Default 1.</summary>
    public double CropMaxScale { get; init; } = 1.0;

    /// <summary>EMA momentum at the first step. Default 0.996, the paper's.</summary>
    public double EmaStart { get; init; } = 0.996;

    /// <summary>EMA momentum at the last step. Default 1, the paper's.</summary>
    public double EmaEnd { get; init; } = 1.0;

    /// <summary>Weight of each online view's CLIP term. Default 0.5 (two views, 0.5 each), the paper's.</summary>
    public double ClipWeight { get; init; } = 0.5;

    /// <summary>Weight of the SimCLR term between the two online views. Default 1, the paper's.</summary>
    public double SimClrWeight { get; init; } = 1.0;

    /// <summary>SimCLR's temperature τ. Default 0.1, the paper's.</summary>
    public double SimClrTemperature { get; init; } = 0.1;

    /// <summary>Weight of the BYOL term (2 − 2·cos against the EMA's full view). Default 2, the paper's.</summary>
    public double ByolWeight { get; init; } = 2.0;

    /// <summary>Hidden width of the SimCLR and BYOL MLPs; 0 takes 4 × the image tower's width. Default 0 (the paper: 4096 on ViT-B's 768).</summary>
    public int HeadHidden { get; init; }

    /// <summary>Output width of the SimCLR and BYOL MLPs. Default 256, the paper's.</summary>
    public int HeadOutput { get; init; } = 256;

    /// <summary>Throws naming the first option out of range (as "AClip.Name") and what it allows.</summary>
    public void Validate()
    {
        Require(MaskRatio > 0 && MaskRatio < 1, nameof(MaskRatio), MaskRatio, "in (0, 1)");
        Require(EfficientMaskRatio > 0 && EfficientMaskRatio < 1, nameof(EfficientMaskRatio), EfficientMaskRatio, "in (0, 1)");
        Require(MaskingStrategies.Names.Contains(Masking), nameof(Masking), Masking, $"one of {string.Join(", ", MaskingStrategies.Names)}");
        Require(CropMinScale > 0 && CropMinScale <= CropMaxScale && CropMaxScale <= 1, nameof(CropMinScale), CropMinScale,
            $"in (0, CropMaxScale = {CropMaxScale}] with CropMaxScale at most 1");
        Require(EmaStart is >= 0 and <= 1, nameof(EmaStart), EmaStart, "in [0, 1]");
        Require(EmaEnd is >= 0 and <= 1, nameof(EmaEnd), EmaEnd, "in [0, 1]");
        foreach (var (name, value) in new[] { (nameof(ClipWeight), ClipWeight), (nameof(SimClrWeight), SimClrWeight), (nameof(ByolWeight), ByolWeight) })
            Require(value >= 0 && double.IsFinite(value), name, value, "0 or more");
        Require(SimClrTemperature > 0 && double.IsFinite(SimClrTemperature), nameof(SimClrTemperature), SimClrTemperature, "above 0");
        Require(HeadHidden >= 0, nameof(HeadHidden), HeadHidden, "0 (4 × width) or more");
        Require(HeadOutput >= 1, nameof(HeadOutput), HeadOutput, "1 or more");
    }

    /// <summary>The momentum schedule: a per-step cosine from <see cref="EmaStart"/> to <see cref="EmaEnd"/> (BYOL's).</summary>
    public MomentumSchedule BuildMomentumSchedule() => new() { Start = EmaStart, End = EmaEnd, Shape = MomentumShape.Cosine };

    private static void Require(bool ok, string name, object? value, string allowed)
    {
        if (!ok) throw new ArgumentOutOfRangeException("AClip." + name, value, $"AClip.{name} must be {allowed}, got {value}");
    }
}
