namespace MLNetClip.Trainers;

/// <summary>The linear-probe trainers a <see cref="ProbeSweep"/> tries.</summary>
public enum ProbeTrainer
{
    /// <summary>ML.NET's LbfgsMaximumEntropy (multinomial logistic regression, L-BFGS).</summary>
    LbfgsMaximumEntropy,

    /// <summary>ML.NET's SdcaMaximumEntropy (the same model, dual coordinate ascent).</summary>
    SdcaMaximumEntropy,
}

/// <summary>Options of <see cref="ProbeSweep"/>: the grid (trainer × L2 strength) and the cross-validation.</summary>
public sealed class ProbeSweepOptions
{
    public IReadOnlyList<ProbeTrainer> Trainers { get; set; } = [ProbeTrainer.LbfgsMaximumEntropy, ProbeTrainer.SdcaMaximumEntropy];

    /// <summary>L2 strengths tried with every trainer, each 0 or more. Default 1e-4, 1e-2, 1.</summary>
    public IReadOnlyList<float> L2Strengths { get; set; } = [1e-4f, 1e-2f, 1f];

    /// <summary>Cross-validation folds, 2 to 20. Default 3.</summary>
    public int Folds { get; set; } = 3;

    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>A key column (MapValueToKey). Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Seeds ML.NET's fold split and the SDCA trainer. Default 0.</summary>
    public int Seed { get; set; }

    internal void Validate()
    {
        Require(Trainers is { Count: > 0 } && Trainers.All(Enum.IsDefined), nameof(Trainers), "one or more of LbfgsMaximumEntropy, SdcaMaximumEntropy");
        Require(L2Strengths is { Count: > 0 } && L2Strengths.All(l => l >= 0 && float.IsFinite(l)), nameof(L2Strengths), "one or more values of 0 or more");
        Require(Folds is >= 2 and <= 20, nameof(Folds), "2 to 20", Folds);
        Require(!string.IsNullOrEmpty(FeatureColumnName), nameof(FeatureColumnName), "a column name");
        Require(!string.IsNullOrEmpty(LabelColumnName), nameof(LabelColumnName), "a column name");
    }

    private static void Require(bool ok, string option, string range, object? value = null)
    {
        if (!ok) throw new ArgumentOutOfRangeException(option, value, $"option '{option}' must be {range}");
    }
}
