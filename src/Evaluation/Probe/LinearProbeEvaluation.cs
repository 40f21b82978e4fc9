using MLNetClip.Evaluation.Embedding;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Probe;

/// <summary>Labelled images for one part of a probe (train, validation or test).</summary>
public sealed record ProbeSplit(IImageList Images, IReadOnlyList<int> Labels)
{
    internal void Check(string part, int classes)
    {
        if (Images.Count == 0) throw new ArgumentException($"the {part} set has no images");
        if (Labels.Count != Images.Count) throw new ArgumentException($"the {part} set has {Images.Count} images but {Labels.Count} labels");
        var bad = Labels.FirstOrDefault(l => (uint)l >= (uint)classes, -1);
        if (bad >= 0) throw new ArgumentOutOfRangeException(nameof(Labels), bad, $"the {part} set has label {bad}; labels must be in [0, {classes})");
    }
}

/// <summary>A linear probe's figures: the model's features beside raw pixels, on the same split.</summary>
/// <param name="Feature">The model feature probed.</param>
/// <param name="Features">The probe on that feature.</param>
/// <param name="Pixels">The raw-pixel baseline, when it was run.</param>
/// <param name="PixelSize">The baseline's image side.</param>
/// <param name="TrainImages">Training images.</param>
/// <param name="ValidationImages">Images of the given validation set, or 0 when λ was fixed or chosen on a held-out share of the training set.</param>
/// <param name="TestImages">Test images.</param>
/// <param name="ClassNames">The classes, indexed as in the confusion matrices.</param>
public sealed record ProbeResult(ImageFeature Feature, ProbeFit Features, ProbeFit? Pixels, int PixelSize,
    int TrainImages, int ValidationImages, int TestImages, IReadOnlyList<string> ClassNames);

/// <summary>
/// The linear-probe evaluation: frozen image features (class token, mean of patches or projected
/// embedding) of a training and a test set, standardised with the training statistics and classified
/// by multinomial logistic regression (<see cref="LinearProbe"/>), with the L2 strength fixed or chosen
/// on validation data (<see cref="L2Search"/>); then the same on raw pixels as the baseline.
/// </summary>
public static class LinearProbeEvaluation
{
    public static ProbeResult Evaluate(ClipEmbedder embedder, ProbeSplit train, ProbeSplit test, IReadOnlyList<string> classNames,
        ProbeEvaluationOptions? options = null, ProbeSplit? validation = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        options ??= new ProbeEvaluationOptions();
        options.Validate();
        if (classNames.Count < 2) throw new ArgumentException($"a probe needs at least 2 classes; there are {classNames.Count}");
        train.Check("training", classNames.Count);
        test.Check("test", classNames.Count);
        validation?.Check("validation", classNames.Count);

        var features = Run(embedder, train, test, validation, classNames.Count, options, images => embedder.ImageFeatures(images, options.Feature));
        var pixels = options.PixelBaseline
            ? Run(embedder, train, test, validation, classNames.Count, options, images => embedder.PixelFeatures(images, options.PixelSize))
            : null;
        return new ProbeResult(options.Feature, features, pixels, options.PixelSize, train.Images.Count, validation?.Images.Count ?? 0,
            test.Images.Count, classNames);
    }

    /// <summary>Extracts one kind of feature for every part, moves it to the model's device and fits the probe there.</summary>
    private static ProbeFit Run(ClipEmbedder embedder, ProbeSplit train, ProbeSplit test, ProbeSplit? validation, int classes,
        ProbeEvaluationOptions options, Func<IImageList, Tensor> extract)
    {
        var device = embedder.Model.Device;
        using var scope = DisposeScope.Begin();
        var trainX = Extract(extract, train, device);                                          // [N, D]
        var testX = Extract(extract, test, device);                                            // [T, D]
        var validationX = validation is null ? null : Extract(extract, validation, device);    // [V, D]
        return L2Search.Fit(trainX, train.Labels, testX, test.Labels, classes, options, validationX, validation?.Labels);
    }

    private static Tensor Extract(Func<IImageList, Tensor> extract, ProbeSplit split, Device device)
    {
        using var host = extract(split.Images);
        return host.To(device);
    }
}
