using MLNetClip.Pretraining.Masking;

namespace MLNetClip.Pretraining.Methods;

/// <summary>FLIP's options (flip). docs/methods.md lists each beside the paper's value.</summary>
public sealed record FlipOptions
{
    /// <summary>Share of patches dropped from the contrastive image branch, in (0, 1). Default 0.5 (the paper's main setting).</summary>
    public double PatchDropout { get; init; } = 0.5;

    /// <summary>
    /// The last steps of the run train without masking (FLIP's "unmasked tuning"), 0 or more;
    /// the run's length (steps, epochs or minutes) includes them. Default 0.
    /// </summary>
    public long UnmaskedTuningSteps { get; init; }

    /// <summary>How the dropped patches are chosen: random (the paper's) or block. Default random.</summary>
    public string Masking { get; init; } = MaskingStrategies.RandomName;

    /// <summary>Throws naming the first option out of range (as "Flip.Name") and what it allows.</summary>
    public void Validate()
    {
        Require(PatchDropout > 0 && PatchDropout < 1, nameof(PatchDropout), PatchDropout, "in (0, 1)");
        Require(UnmaskedTuningSteps >= 0, nameof(UnmaskedTuningSteps), UnmaskedTuningSteps, "0 or more");
        Require(MaskingStrategies.Names.Contains(Masking) && !MaskingStrategies.NeedsScores(Masking), nameof(Masking), Masking,
            "random or block (FLIP has no scores to rank patches by)");
    }

    private static void Require(bool ok, string name, object? value, string allowed)
    {
        if (!ok) throw new ArgumentOutOfRangeException("Flip." + name, value, $"Flip.{name} must be {allowed}, got {value}");
    }
}
