namespace MLNetClip.Pretraining.Ema;

/// <summary>How an EMA momentum moves from its start value to its end value over a run.</summary>
public enum MomentumShape
{
    /// <summary>A half cosine: slow at both ends (BYOL, DINO, MaskCLIP).</summary>
    Cosine,

    Linear,

    /// <summary>The start value throughout; the end value is ignored.</summary>
    Constant,
}

/// <summary>
/// The EMA teacher's momentum m over a run; the teacher follows teacher ← m·teacher + (1 − m)·student.
/// A momentum m averages the student over about H = 1/(1 − m) steps (its horizon). When the start or
/// end value is not given it is derived from the planned step count T: the start horizon is 1% of
/// T and the end horizon 10% of T, each capped at MaskCLIP's 0.999 (H = 1,000) and 0.9999
/// (H = 10,000). At T ≈ 100k steps and beyond this is the paper's schedule; a short run gets a
/// teacher that actually learns within it (docs/methods.md tabulates the values).
/// </summary>
public sealed record MomentumSchedule
{
    public const double PaperStart = 0.999;
    public const double PaperEnd = 0.9999;
    public const double StartHorizonFraction = 0.01;
    public const double EndHorizonFraction = 0.1;

    /// <summary>Momentum at the first step; null derives it from the step count.</summary>
    public double? Start { get; init; }

    /// <summary>Momentum at the last step; null derives it from the step count.</summary>
    public double? End { get; init; }

    public MomentumShape Shape { get; init; } = MomentumShape.Cosine;

    /// <summary>Parses "cosine", "linear" or "constant" (any case).</summary>
    public static MomentumShape ParseShape(string text, string optionName) =>
        Enum.TryParse<MomentumShape>(text, ignoreCase: true, out var shape) && Enum.IsDefined(shape)
            ? shape
            : throw new ArgumentException($"{optionName} must be cosine, linear or constant, got '{text}'", optionName);

    /// <summary>1 − 1/H for a horizon of H steps, capped at <paramref name="cap"/> and floored at 0 (a plain copy).</summary>
    public static double FromHorizon(double horizonSteps, double cap) =>
        horizonSteps <= 1 ? 0 : Math.Min(cap, 1 - 1 / horizonSteps);

    public double StartFor(long totalSteps) => Start ?? FromHorizon(StartHorizonFraction * totalSteps, PaperStart);

    public double EndFor(long totalSteps) => End ?? FromHorizon(EndHorizonFraction * totalSteps, PaperEnd);

    /// <summary>
    /// The momentum after 0-based <paramref name="step"/> of <paramref name="totalSteps"/>:
    /// exactly the start value at step 0 and the end value at the last step (T − 1; a one-step run
    /// uses the start value).
    /// </summary>
    public double At(long step, long totalSteps)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be >= 1");
        double start = StartFor(totalSteps), end = EndFor(totalSteps);
        var progress = totalSteps == 1 ? 0.0 : Math.Clamp((double)step / (totalSteps - 1), 0, 1);
        return Shape switch
        {
            MomentumShape.Cosine => end - (end - start) * (1 + Math.Cos(Math.PI * progress)) / 2,
            MomentumShape.Linear => start + (end - start) * progress,
            MomentumShape.Constant => start,
            _ => throw new InvalidOperationException($"unknown momentum shape {Shape}"),
        };
    }
}
