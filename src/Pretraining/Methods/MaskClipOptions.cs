using MLNetClip.Pretraining.Ema;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// MaskCLIP's options (maskclip and maskclip-efficient). docs/methods.md lists each beside the
/// paper's value.
/// </summary>
public sealed record MaskClipOptions
{
    /// <summary>Share of patches hidden from the student, in (0, 1). Default 0.75 (the student sees 25%).</summary>
    public double MaskRatio { get; init; } = 0.75;

    /// <summary>Transformer layers in the image decoder. Default 1.</summary>
    public int DecoderDepth { get; init; } = 1;

    /// <summary>
    /// Weight λ of the image distillation term. Default 1: the paper's 0.05 weights a different
    /// loss (a cross-entropy over codeword assignments), so it does not carry over to our
    /// smooth-L1 (docs/methods.md).
    /// </summary>
    public double DistillWeight { get; init; } = 1.0;

    /// <summary>Smooth-L1's β (the L1/L2 switch point). Default 1 (PyTorch's default; see docs/methods.md).</summary>
    public double SmoothL1Beta { get; init; } = 1.0;

    /// <summary>LayerNorm (no affine) on the teacher's features before they are targets. Default true.</summary>
    public bool NormalizeTargets { get; init; } = true;

    /// <summary>EMA momentum at the first step; null derives it from the planned step count (docs/methods.md, <see cref="MomentumSchedule"/>).</summary>
    public double? EmaStart { get; init; }

    /// <summary>EMA momentum at the last step; null derives it from the planned step count.</summary>
    public double? EmaEnd { get; init; }

    /// <summary>How the momentum moves from start to end: cosine (default), linear or constant.</summary>
    public string EmaSchedule { get; init; } = "cosine";

    /// <summary>The text branch: masked language modelling on the caption. Default true.</summary>
    public bool TextBranch { get; init; } = true;

    /// <summary>Share of a caption's words masked for the text branch (start, end and padding never are). Default 0.2, the paper's.</summary>
    public double TextMaskRatio { get; init; } = 0.2;

    /// <summary>Transformer layers in the text decoder. Default 4, the paper's.</summary>
    public int TextDecoderDepth { get; init; } = 4;

    /// <summary>Weight of the masked-word term (the paper's β). Default 0.05, the paper's.</summary>
    public double MlmWeight { get; init; } = 0.05;

    /// <summary>Throws naming the first option out of range (as "MaskClip.Name") and what it allows.</summary>
    public void Validate()
    {
        Require(MaskRatio > 0 && MaskRatio < 1, nameof(MaskRatio), MaskRatio, "in (0, 1)");
        Require(DecoderDepth >= 1, nameof(DecoderDepth), DecoderDepth, ">= 1");
        Require(DistillWeight >= 0 && double.IsFinite(DistillWeight), nameof(DistillWeight), DistillWeight, ">= 0");
        Require(SmoothL1Beta > 0 && double.IsFinite(SmoothL1Beta), nameof(SmoothL1Beta), SmoothL1Beta, "> 0");
        Require(EmaStart is null or (>= 0 and <= 1), nameof(EmaStart), EmaStart, "in [0, 1] or null (derived)");
        Require(EmaEnd is null or (>= 0 and <= 1), nameof(EmaEnd), EmaEnd, "in [0, 1] or null (derived)");
        MomentumSchedule.ParseShape(EmaSchedule, "MaskClip." + nameof(EmaSchedule));
        Require(TextMaskRatio > 0 && TextMaskRatio < 1, nameof(TextMaskRatio), TextMaskRatio, "in (0, 1)");
        Require(TextDecoderDepth >= 1, nameof(TextDecoderDepth), TextDecoderDepth, ">= 1");
        Require(MlmWeight >= 0 && double.IsFinite(MlmWeight), nameof(MlmWeight), MlmWeight, ">= 0");
    }

    /// <summary>The momentum schedule these options describe.</summary>
    public MomentumSchedule BuildMomentumSchedule() => new()
    {
        Start = EmaStart,
        End = EmaEnd,
        Shape = MomentumSchedule.ParseShape(EmaSchedule, "MaskClip." + nameof(EmaSchedule)),
    };

    private static void Require(bool ok, string name, object? value, string allowed)
    {
        if (!ok) throw new ArgumentOutOfRangeException("MaskClip." + name, value, $"MaskClip.{name} must be {allowed}, got {value}");
    }
}
