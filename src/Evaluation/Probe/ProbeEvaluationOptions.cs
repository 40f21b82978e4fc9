using MLNetClip.Evaluation.Embedding;

namespace MLNetClip.Evaluation.Probe;

/// <summary>Settings of <see cref="LinearProbeEvaluation"/>; checked before any image is embedded.</summary>
public sealed class ProbeEvaluationOptions
{
    /// <summary>The frozen feature probed. Default: the class token (MAE's linear-probe protocol).</summary>
    public ImageFeature Feature { get; init; } = ImageFeature.ClassToken;

    /// <summary>A fixed L2 strength (λ of <see cref="SoftmaxRegression"/>); null chooses it from <see cref="L2Grid"/> on validation data.</summary>
    public double? L2 { get; init; }

    /// <summary>
    /// Strengths tried when <see cref="L2"/> is null. Default 1e-4 to 10 by decades: raw pixels, with
    /// thousands of correlated inputs, often want the strong end, frozen features the weak one.
    /// </summary>
    public IReadOnlyList<double> L2Grid { get; init; } = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

    /// <summary>
    /// Without a validation set, every k-th training image of each class (k = round(1 / share)) is held
    /// out to choose λ, and the probe is then refitted on all training images. 0.05 to 0.5; default 0.2.
    /// </summary>
    public double ValidationShare { get; init; } = 0.2;

    /// <summary>Also probe raw pixels on the same split, as the baseline. Default true.</summary>
    public bool PixelBaseline { get; init; } = true;

    /// <summary>Side the baseline's images are resized to before flattening (3·side² values each), 4 to 512. Default 32.</summary>
    public int PixelSize { get; init; } = 32;

    /// <summary>Told about each fit (strength, validation top-1, iterations); null stays silent.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Stopping rules of every fit.</summary>
    public LbfgsOptions Optimizer { get; init; } = new();

    internal void Validate()
    {
        if (!Enum.IsDefined(Feature) || Feature == ImageFeature.Pixels)
            throw new ArgumentOutOfRangeException(nameof(Feature), Feature, "Feature must be a model feature (embedding, cls or mean); the pixel baseline runs beside it");
        if (L2 is { } l2 && (!(l2 >= 0) || double.IsInfinity(l2)))
            throw new ArgumentOutOfRangeException(nameof(L2), l2, "L2 must be a finite value of 0 or more");
        if (L2 is null && (L2Grid.Count == 0 || L2Grid.Any(v => !(v >= 0) || double.IsInfinity(v))))
            throw new ArgumentOutOfRangeException(nameof(L2Grid), "L2Grid must hold at least one finite value of 0 or more");
        if (ValidationShare is < 0.05 or > 0.5 || double.IsNaN(ValidationShare))
            throw new ArgumentOutOfRangeException(nameof(ValidationShare), ValidationShare, "ValidationShare must be 0.05 to 0.5");
        if (PixelSize is < 4 or > 512) throw new ArgumentOutOfRangeException(nameof(PixelSize), PixelSize, "PixelSize must be 4 to 512");
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate();
    }
}
