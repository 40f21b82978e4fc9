using System.Globalization;
using MLNetClip.Evaluation.Probe;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>The optimiser, the regression and the standardiser against hand-solvable cases and PyTorch.</summary>
public class ProbeTests
{
    /// <summary>A float64 tensor on the test device; the host copy it starts from is freed at once.</summary>
    private static Tensor F64(double[] data, params long[] shape)
    {
        using var scope = DisposeScope.Begin();
        return Tensor.FromArray(data, shape).To(TestDevice.Current).MoveToOuterScope();
    }

    [Fact]
    public void StandardizerUsesTrainStatisticsAndLeavesConstantFeaturesAtZero()
    {
        // Columns: 1, 2, 3, 6 (mean 3, population std √3.5); 5, 5, 5, 5 (constant); −2, 0, 2, 0 (mean 0, std √2).
        using var train = F64([1, 5, -2, 2, 5, 0, 3, 5, 2, 6, 5, 0], 4, 3);
        using var standardizer = FeatureStandardizer.Fit(train);
        Assert.Equal([3.0, 5.0, 0.0], standardizer.Mean.To(Device.Cpu).ToArray<double>());
        var std = standardizer.Std.To(Device.Cpu).ToArray<double>();
        Assert.Equal(Math.Sqrt(3.5), std[0], 12);
        Assert.Equal(1.0, std[1]);
        Assert.Equal(Math.Sqrt(2), std[2], 12);
        using var test = F64([10, 7, 1], 1, 3);
        using var z = standardizer.Apply(test);
        var expected = new[] { 7 / Math.Sqrt(3.5), 2.0, 1 / Math.Sqrt(2) };
        Assert.All(z.To(Device.Cpu).ToArray<double>().Zip(expected), p => Assert.Equal(p.Second, p.First, 12));
    }

    [Fact]
    public void LbfgsSolvesAQuadraticAndRosenbrock()
    {
        // f(x) = ½ xᵀAx − bᵀx with A = [[4, 1, 0], [1, 3, 0], [0, 0, 2]], b = (1, 2, 4): x* = A⁻¹b = (1/11, 7/11, 2).
        using var a = F64([4, 1, 0, 1, 3, 0, 0, 0, 2], 3, 3);
        using var b = F64([1, 2, 4], 3);
        using var x = Tensor.Zeros([3], ScalarType.Float64, TestDevice.Current);
        var quadratic = Lbfgs.Minimize(p =>
        {
            using var scope = DisposeScope.Begin();
            var ax = a.MatMul(p);
            return (0.5 * (p * ax).Sum().Item() - (b * p).Sum().Item(), (ax - b).MoveToOuterScope());
        }, x, new LbfgsOptions { GradientTolerance = 1e-12 });
        Assert.True(quadratic.Converged);
        Assert.All(x.To(Device.Cpu).ToArray<double>().Zip([1 / 11.0, 7 / 11.0, 2]), p => Assert.Equal(p.Second, p.First, 10));

        // Rosenbrock, not convex: minimum (1, 1) from (−1.2, 1).
        using var r = F64([-1.2, 1], 2);
        var rosenbrock = Lbfgs.Minimize(p =>
        {
            var v = p.To(Device.Cpu).ToArray<double>();
            double u = v[0], w = v[1];
            var loss = (1 - u) * (1 - u) + 100 * (w - u * u) * (w - u * u);
            return (loss, F64([-2 * (1 - u) - 400 * u * (w - u * u), 200 * (w - u * u)], 2));
        }, r, new LbfgsOptions { GradientTolerance = 1e-9 });
        Assert.True(rosenbrock.Converged, rosenbrock.ToString());
        Assert.All(r.To(Device.Cpu).ToArray<double>(), v => Assert.Equal(1, v, 6));
    }

    [Fact]
    public void TheRegressionGradientMatchesFiniteDifferences()
    {
        var random = new Random(5);
        using var x = F64(Enumerable.Range(0, 7 * 3).Select(_ => random.NextDouble() * 2 - 1).ToArray(), 7, 3);
        int[] labels = [0, 1, 2, 1, 0, 2, 2];
        using var oneHot = F64(labels.SelectMany(l => Enumerable.Range(0, 3).Select(c => c == l ? 1.0 : 0)).ToArray(), 7, 3);
        var theta = Enumerable.Range(0, 12).Select(_ => random.NextDouble() - 0.5).ToArray();
        using var p = F64(theta, 12);
        var (_, gradient) = SoftmaxRegression.Objective(p, x, oneHot, 3, l2: 0.3);
        var analytic = gradient.To(Device.Cpu).ToArray<double>();
        gradient.Dispose();
        for (var i = 0; i < 12; i++)
        {
            double At(double delta)
            {
                var shifted = (double[])theta.Clone();
                shifted[i] += delta;
                using var q = F64(shifted, 12);
                var (loss, g) = SoftmaxRegression.Objective(q, x, oneHot, 3, 0.3);
                g.Dispose();
                return loss;
            }
            Assert.Equal((At(1e-6) - At(-1e-6)) / 2e-6, analytic[i], 7);
        }
    }

    [Fact]
    public void ASymmetricTwoPointProblemHasItsHandSolution()
    {
        // x = +1 is class 1, x = −1 class 0. By symmetry W = [[−w], [w]] and b = 0, so the objective is
        // −log σ(2w) + λw², stationary where λw = 1 − σ(2w). That scalar equation is solved by bisection.
        const double l2 = 0.1;
        double lo = 0, hi = 100;
        for (var i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            if (l2 * mid < 1 - 1 / (1 + Math.Exp(-2 * mid))) lo = mid; else hi = mid;
        }
        using var features = F64([1, -1], 2, 1);
        using var scope = DisposeScope.Begin();
        var labels = Tensor.FromArray(new long[] { 1, 0 }).To(TestDevice.Current);
        using var fit = SoftmaxRegression.Train(features, labels, 2, l2, new LbfgsOptions { GradientTolerance = 1e-12 });
        Assert.True(fit.Fit.Converged);
        var weight = fit.Weight.To(Device.Cpu).ToArray<double>();
        Assert.Equal(-lo, weight[0], 9);
        Assert.Equal(lo, weight[1], 9);
        Assert.All(fit.Bias.To(Device.Cpu).ToArray<double>(), v => Assert.Equal(0, v, 9));
    }

    [TorchFact]
    public void TheFitMatchesPyTorchsLbfgsOnTheSameObjective()
    {
        const int n = 60, d = 5, c = 3;
        const double l2 = 0.02;
        var random = new Random(11);
        var labels = Enumerable.Range(0, n).Select(i => i % c).ToArray();
        var data = new double[n * d];
        for (var i = 0; i < n; i++)
            for (var k = 0; k < d; k++)
                data[i * d + k] = random.NextDouble() * 2 - 1 + (k == labels[i] ? 0.8 : 0);
        using var features = F64(data, n, d);
        using var scope = DisposeScope.Begin();
        var y = Tensor.FromArray(labels.Select(l => (long)l).ToArray()).To(TestDevice.Current);
        using var fit = SoftmaxRegression.Train(features, y, c, l2, new LbfgsOptions { GradientTolerance = 1e-10 });
        Assert.True(fit.Fit.Converged);

        const string script = """
            import sys, torch
            lines = sys.stdin.read().split("\n")
            n, d, c, l2 = int(lines[0]), int(lines[1]), int(lines[2]), float(lines[3])
            x = torch.tensor([float(v) for v in lines[4].split()], dtype=torch.float64).view(n, d)
            y = torch.tensor([int(v) for v in lines[5].split()])
            w = torch.zeros(c, d, dtype=torch.float64, requires_grad=True)
            b = torch.zeros(c, dtype=torch.float64, requires_grad=True)
            opt = torch.optim.LBFGS([w, b], lr=1, max_iter=5000, tolerance_grad=1e-12, tolerance_change=1e-20, history_size=20, line_search_fn="strong_wolfe")
            def closure():
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(x @ w.T + b, y) + l2 / 2 * (w * w).sum()
                loss.backward()
                return loss
            opt.step(closure)
            print(" ".join(repr(v) for v in w.detach().flatten().tolist() + (b - b.mean()).detach().tolist() + [closure().item()]))
            """;
        var stdin = string.Join("\n", n, d, c, l2.ToString("R", CultureInfo.InvariantCulture),
            string.Join(" ", data.Select(v => v.ToString("R", CultureInfo.InvariantCulture))), string.Join(" ", labels));
        var reference = PythonTorch.Run(script, stdin).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        var ours = fit.Weight.To(Device.Cpu).ToArray<double>();
        var bias = fit.Bias.To(Device.Cpu).ToArray<double>();
        var centred = bias.Select(v => v - bias.Average());
        Assert.All(ours.Concat(centred).Zip(reference), p => Assert.Equal(p.Second, p.First, 6));
        Assert.Equal(reference[^1], fit.Fit.Loss, 10);
    }

    [Fact]
    public void AProbeIsBlindToPerFeatureScaleAndShiftAndSeparatesClusters()
    {
        var random = new Random(2);
        const int n = 90, d = 4;
        var labels = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var data = new double[n * d];
        for (var i = 0; i < n; i++)
            for (var k = 0; k < d; k++)
                data[i * d + k] = random.NextDouble() + (k == labels[i] ? 2 : 0);
        double[] scale = [1000, 0.001, -3, 1], shift = [5, -7, 100, 0];
        var moved = data.Select((v, i) => v * scale[i % d] + shift[i % d]).ToArray();
        var baseline = LiveTensors.Baseline();
        using (var x = F64(data, n, d))
        using (var xMoved = F64(moved, n, d))
        using (var probe = LinearProbe.Train(x, labels, 3))
        using (var probeMoved = LinearProbe.Train(xMoved, labels, 3))
        using (var logits = probe.Logits(x))
        using (var logitsMoved = probeMoved.Logits(xMoved))
        {
            Assert.True(logits.AllClose(logitsMoved, rtol: 1e-6, atol: 1e-6));
            var result = probe.Evaluate(x, labels);
            Assert.Equal(1.0, result.Top1);
            Assert.Equal(3, result.ClassesWithSamples);
            Assert.Contains("sample 2 has label 3",
                Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Train(x, [0, 1, 3, .. labels[3..]], 3)).Message);
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }
}
