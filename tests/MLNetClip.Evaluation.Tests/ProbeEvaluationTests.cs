using MLNetClip.Evaluation.Probe;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>How the probe evaluation holds out validation images and chooses its L2 strength.</summary>
public class ProbeEvaluationTests
{
    [Fact]
    public void EveryKthImageOfEachClassIsHeldOut()
    {
        int[] labels = [0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 2, 0, 0];
        var (fit, held) = L2Search.HoldOut(labels, share: 0.2);
        // Class 0 sits at 0,1,3,6,8,11,12: its fifth image is index 8. Class 1 at 2,4,5,7,9: its fifth is 9. Class 2 has one.
        Assert.Equal([8, 9], held);
        Assert.Equal(Enumerable.Range(0, labels.Length).Except([8, 9]), fit);

        var (_, half) = L2Search.HoldOut(labels, share: 0.5);
        Assert.Equal([1, 4, 6, 7, 11], half);
        Assert.Throws<InvalidDataException>(() => L2Search.HoldOut([0, 1, 0, 1], share: 0.2));
    }

    /// <summary>Two noisy Gaussian classes in 6 dimensions, [n, 6] float64, and labels.</summary>
    private static (Tensor X, int[] Labels) Blobs(int n, ulong seed)
    {
        using var generator = new Generator(seed);
        using var scope = DisposeScope.Begin();
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var shift = Tensor.FromArray(labels.Select(l => l == 0 ? -0.4 : 0.4).ToArray(), n, 1);            // [n, 1]
        var x = Tensor.Randn([n, 6], generator, ScalarType.Float64) + shift;                              // [n, 6]
        return (x.MoveToOuterScope(), labels);
    }

    [Fact]
    public void TheChosenStrengthIsTheBestOnValidationAndTheFinalFitUsesAllTrainingImages()
    {
        var (train, trainLabels) = Blobs(60, 1);
        var (test, testLabels) = Blobs(40, 2);
        using (train)
        using (test)
        {
            var options = new ProbeEvaluationOptions { L2Grid = [1e-3, 1e-1, 10, 1000] };
            var fit = L2Search.Fit(train, trainLabels, test, testLabels, 2, options);

            Assert.Equal(options.L2Grid, fit.Trials.Select(t => t.L2));
            var best = fit.Trials.Max(t => t.ValidationTop1);
            Assert.Equal(fit.Trials.Where(t => t.ValidationTop1 == best).Max(t => t.L2), fit.L2);

            // The reported test figures are those of a probe trained on every training image with that strength.
            using var reference = LinearProbe.Train(train, trainLabels, 2, new LinearProbeOptions { L2 = fit.L2 });
            var expected = reference.Evaluate(test, testLabels);
            Assert.Equal(expected.Top1, fit.Test.Top1);
            Assert.Equal(expected.Confusion, fit.Test.Confusion);
            Assert.True(fit.Optimization.Converged);

            // A fixed strength skips the search.
            var fixedFit = L2Search.Fit(train, trainLabels, test, testLabels, 2, new ProbeEvaluationOptions { L2 = 1000 });
            Assert.Empty(fixedFit.Trials);
            Assert.Equal(1000, fixedFit.L2);
        }
    }

    [Fact]
    public void AGivenValidationSetIsUsedInsteadOfAHeldOutShare()
    {
        var (train, trainLabels) = Blobs(40, 3);
        var (validation, validationLabels) = Blobs(20, 4);
        var (test, testLabels) = Blobs(20, 5);
        using (train)
        using (validation)
        using (test)
        {
            var options = new ProbeEvaluationOptions { L2Grid = [1e-2, 1e4] };
            var fit = L2Search.Fit(train, trainLabels, test, testLabels, 2, options, validation, validationLabels);
            foreach (var trial in fit.Trials)
            {
                using var probe = LinearProbe.Train(train, trainLabels, 2, new LinearProbeOptions { L2 = trial.L2 });
                Assert.Equal(probe.Evaluate(validation, validationLabels).Top1, trial.ValidationTop1);
            }
        }
    }
}
