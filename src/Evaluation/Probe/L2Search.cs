using System.Globalization;
using MLNetClip.Evaluation.Classification;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Probe;

/// <summary>One strength tried: its validation top-1.</summary>
public sealed record L2Trial(double L2, double ValidationTop1);

/// <summary>A probe fitted with its chosen strength, and how that strength was chosen.</summary>
/// <param name="Test">The probe's figures on the test images.</param>
/// <param name="L2">The strength used.</param>
/// <param name="Trials">Every strength tried on validation data, or empty when the strength was fixed.</param>
/// <param name="Optimization">How the final fit's optimisation ended (iterations, convergence).</param>
public sealed record ProbeFit(ClassificationResult Test, double L2, IReadOnlyList<L2Trial> Trials, LbfgsResult Optimization);

/// <summary>
/// Fits a <see cref="LinearProbe"/> with a fixed L2 strength, or chooses the strength by validation
/// top-1 (ties go to the stronger, simpler fit): on a given validation set, with the probe trained on
/// the training set; or on a share of each class held out of the training set, after which the probe
/// is refitted on all of it with the chosen strength. The test set plays no part in the choice.
/// </summary>
public static class L2Search
{
    public static ProbeFit Fit(Tensor trainX, IReadOnlyList<int> trainLabels, Tensor testX, IReadOnlyList<int> testLabels, int classes,
        ProbeEvaluationOptions options, Tensor? validationX = null, IReadOnlyList<int>? validationLabels = null)
    {
        if (options.L2 is { } fixedL2) return Final(trainX, trainLabels, testX, testLabels, classes, fixedL2, [], options);
        if (validationX is not null)
        {
            var trials = Trials(trainX, trainLabels, validationX, validationLabels!, classes, options);
            var best = Best(trials);
            return Final(trainX, trainLabels, testX, testLabels, classes, best, trials, options);
        }
        var (fit, held) = HoldOut(trainLabels, options.ValidationShare);
        using var scope = DisposeScope.Begin();
        var fitIndex = Tensor.FromArray(fit.Select(i => (long)i).ToArray()).To(trainX.Device);      // [F]
        var heldIndex = Tensor.FromArray(held.Select(i => (long)i).ToArray()).To(trainX.Device);    // [H]
        var carved = Trials(trainX.IndexSelect(0, fitIndex), fit.Select(i => trainLabels[i]).ToList(),
            trainX.IndexSelect(0, heldIndex), held.Select(i => trainLabels[i]).ToList(), classes, options);
        var chosen = Best(carved);
        return Final(trainX, trainLabels, testX, testLabels, classes, chosen, carved, options);
    }

    /// <summary>
    /// Indices kept for fitting and held out for validation: within each class, in order, every k-th
    /// image (k = round(1 / share)) is held out, so every class with at least k images is represented.
    /// </summary>
    public static (IReadOnlyList<int> Fit, IReadOnlyList<int> Held) HoldOut(IReadOnlyList<int> labels, double share)
    {
        var k = Math.Max(2, (int)Math.Round(1 / share));
        var seen = new Dictionary<int, int>();
        var fit = new List<int>();
        var held = new List<int>();
        for (var i = 0; i < labels.Count; i++)
        {
            var position = seen[labels[i]] = seen.GetValueOrDefault(labels[i]) + 1;
            (position % k == 0 ? held : fit).Add(i);
        }
        if (held.Count == 0 || fit.Select(i => labels[i]).Distinct().Count() < 2)
            throw new InvalidDataException($"{labels.Count} training images are too few to hold out every {k}th image of each class " +
                "for choosing the L2 strength; give a validation set or a fixed L2");
        return (fit, held);
    }

    private static List<L2Trial> Trials(Tensor trainX, IReadOnlyList<int> trainLabels, Tensor validationX, IReadOnlyList<int> validationLabels,
        int classes, ProbeEvaluationOptions options) =>
        options.L2Grid.Select(l2 =>
        {
            var (metrics, optimization) = TrainAndScore(trainX, trainLabels, validationX, validationLabels, classes, l2, options);
            Log(options, $"L2 {l2:0.####E+0}: validation top-1 {100 * metrics.Top1:0.00}% ({Fit(optimization)})");
            return new L2Trial(l2, metrics.Top1);
        }).ToList();

    private static string Fit(LbfgsResult r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.Iterations} iterations, {(r.Converged ? "converged" : "not converged")}");

    private static void Log(ProbeEvaluationOptions options, FormattableString line) => options.Log?.Invoke(line.ToString(CultureInfo.InvariantCulture));

    private static double Best(IReadOnlyList<L2Trial> trials) =>
        trials.OrderByDescending(t => t.ValidationTop1).ThenByDescending(t => t.L2).First().L2;

    private static ProbeFit Final(Tensor trainX, IReadOnlyList<int> trainLabels, Tensor testX, IReadOnlyList<int> testLabels, int classes,
        double l2, IReadOnlyList<L2Trial> trials, ProbeEvaluationOptions options)
    {
        var (metrics, optimization) = TrainAndScore(trainX, trainLabels, testX, testLabels, classes, l2, options);
        Log(options, $"fitted on {trainX.Size(0):N0} training images with L2 {l2:0.####E+0} ({Fit(optimization)})");
        return new ProbeFit(metrics, l2, trials, optimization);
    }

    private static (ClassificationResult Metrics, LbfgsResult Optimization) TrainAndScore(Tensor trainX, IReadOnlyList<int> trainLabels,
        Tensor testX, IReadOnlyList<int> testLabels, int classes, double l2, ProbeEvaluationOptions options)
    {
        using var probe = LinearProbe.Train(trainX, trainLabels, classes, new LinearProbeOptions { L2 = l2, Optimizer = options.Optimizer });
        return (probe.Evaluate(testX, testLabels), probe.Regression.Fit);
    }
}
