using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Probe;

/// <summary>
/// Per-feature standardisation with statistics of the training set only (the MAE linear-probe
/// protocol): x ↦ (x − mean) / std, where std is the population standard deviation. A feature that
/// is constant on the training set (std below <see cref="MinStd"/>) keeps std 1, so it becomes 0
/// there instead of dividing by nothing. Statistics are float64.
/// </summary>
public sealed class FeatureStandardizer : IDisposable
{
    /// <summary>Standard deviations below this count as a constant feature.</summary>
    public const double MinStd = 1e-8;

    private FeatureStandardizer(Tensor mean, Tensor std)
    {
        Mean = mean;
        Std = std;
    }

    /// <summary>[D], float64.</summary>
    public Tensor Mean { get; }

    /// <summary>[D], float64, each at least <see cref="MinStd"/> or exactly 1.</summary>
    public Tensor Std { get; }

    /// <summary>Statistics of training features [N, D].</summary>
    public static FeatureStandardizer Fit(Tensor trainFeatures)
    {
        if (trainFeatures.Dim != 2 || trainFeatures.Size(0) < 1)
            throw new ArgumentException($"training features must be [N, D] with N ≥ 1; got [{string.Join(", ", trainFeatures.Shape)}]");
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = trainFeatures.To(trainFeatures.Device, ScalarType.Float64);                   // [N, D]
        var mean = x.Mean(0);                                                                  // [D]
        var std = x.Var(0, unbiased: false).Sqrt();                                            // [D]
        std = Tensor.Where(std.Lt(MinStd), Tensor.OnesLike(std), std);
        return new FeatureStandardizer(mean.DetachFromScope(), std.DetachFromScope());
    }

    /// <summary>Standardised features [N, D], float64.</summary>
    public Tensor Apply(Tensor features)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = features.To(Mean.Device, ScalarType.Float64);                                 // [N, D]
        return ((x - Mean) / Std).MoveToOuterScope();
    }

    public void Dispose()
    {
        Mean.Dispose();
        Std.Dispose();
    }
}
