using MLNetClip.Evaluation.Classification;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Probe;

/// <summary>Settings of a <see cref="LinearProbe"/>; checked when the probe is trained.</summary>
public sealed class LinearProbeOptions
{
    /// <summary>λ of <see cref="SoftmaxRegression"/>'s (λ/2)·‖W‖² on standardised features. Default 1e-3; choose it on a validation split.</summary>
    public double L2 { get; init; } = 1e-3;

    /// <summary>The optimiser's stopping rules.</summary>
    public LbfgsOptions Optimizer { get; init; } = new();

    internal void Validate()
    {
        if (!(L2 >= 0) || double.IsInfinity(L2)) throw new ArgumentOutOfRangeException(nameof(L2), L2, "L2 must be a finite value of 0 or more");
    }
}

/// <summary>
/// A linear probe on frozen features: standardised with the training set's statistics, then a
/// multinomial logistic regression (<see cref="SoftmaxRegression"/>). Which features (class token,
/// mean of patches, projected embedding, or raw pixels for the baseline) is the caller's choice.
/// </summary>
public sealed class LinearProbe : IDisposable
{
    private LinearProbe(FeatureStandardizer standardizer, SoftmaxRegression regression)
    {
        Standardizer = standardizer;
        Regression = regression;
    }

    public FeatureStandardizer Standardizer { get; }

    public SoftmaxRegression Regression { get; }

    /// <summary>Trains on features [N, D] with labels in [0, <paramref name="classes"/>).</summary>
    public static LinearProbe Train(Tensor features, IReadOnlyList<int> labels, int classes, LinearProbeOptions? options = null)
    {
        options ??= new LinearProbeOptions();
        options.Validate();
        if (labels.Count != features.Size(0))
            throw new ArgumentException($"{labels.Count} labels for {features.Size(0)} feature rows");
        for (var i = 0; i < labels.Count; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"sample {i} has label {labels[i]}; labels must be in [0, {classes})");
        var standardizer = FeatureStandardizer.Fit(features);
        try
        {
            using var scope = DisposeScope.Begin();
            var y = Tensor.FromArray(labels.Select(l => (long)l).ToArray()).To(features.Device); // [N]
            var regression = SoftmaxRegression.Train(standardizer.Apply(features), y, classes, options.L2, options.Optimizer);
            return new LinearProbe(standardizer, regression);
        }
        catch
        {
            standardizer.Dispose();
            throw;
        }
    }

    /// <summary>Logits [N, C] for features [N, D] standardised with the training statistics.</summary>
    public Tensor Logits(Tensor features)
    {
        using var scope = DisposeScope.Begin();
        return Regression.Logits(Standardizer.Apply(features)).MoveToOuterScope();
    }

    /// <summary>Top-1, top-5, balanced accuracy and confusion on a labelled set.</summary>
    public ClassificationResult Evaluate(Tensor features, IReadOnlyList<int> labels)
    {
        using var scope = DisposeScope.Begin();
        return ClassificationMetrics.Compute(Logits(features), labels);
    }

    public void Dispose()
    {
        Standardizer.Dispose();
        Regression.Dispose();
    }
}
