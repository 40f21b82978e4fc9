using MLNetClip.Torch.Optim;

namespace MLNetClip.Torch.Tests.Optim;

/// <summary>AdamW against the update rule written out in managed doubles.</summary>
public class AdamWTests
{
    private const double Lr1 = 0.01, Lr2 = 0.004, Beta1 = 0.9, Beta2 = 0.95, Eps = 1e-6;

    /// <summary>One parameter's state in the reference implementation.</summary>
    private sealed class Reference(double[] p)
    {
        public double[] P { get; } = (double[])p.Clone();
        private readonly double[] _m = new double[p.Length];
        private readonly double[] _v = new double[p.Length];

        public void Step(double[] g, double lr, double weightDecay, int t)
        {
            for (var i = 0; i < P.Length; i++)
            {
                P[i] *= 1 - lr * weightDecay; // decoupled: applied to the weight, not the gradient
                _m[i] = Beta1 * _m[i] + (1 - Beta1) * g[i];
                _v[i] = Beta2 * _v[i] + (1 - Beta2) * g[i] * g[i];
                var mHat = _m[i] / (1 - Math.Pow(Beta1, t));
                var vHat = _v[i] / (1 - Math.Pow(Beta2, t));
                P[i] -= lr * mHat / (Math.Sqrt(vHat) + Eps);
            }
        }
    }

    private static readonly double[] W0 = [0.5, -1.25, 2.0, 0.75, -0.3, 1.1];
    private static readonly double[] B0 = [0.2, -0.4, 0.6];
    private static readonly double[] Frozen0 = [3.0, 4.0];
    private static readonly double[][] WGrads = [[0.1, -0.2, 0.3, -0.05, 0.5, 1.5], [-0.3, 0.1, 0.25, 0.0, -0.6, 1.0]];
    private static readonly double[][] BGrads = [[1.0, -2.0, 0.001], [0.5, 0.5, -0.002]];

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    [InlineData(ScalarType.Float32, 2e-6)]
    public void TwoStepsMatchTheHandComputedUpdate(ScalarType dtype, double tolerance)
    {
        using var scope = DisposeScope.Begin();
        var w = Tensor.FromArray(W0, 2, 3).To(dtype).RequiresGrad_();
        var b = Tensor.FromArray(B0).To(dtype).RequiresGrad_();
        var noGrad = Tensor.FromArray(Frozen0).To(dtype).RequiresGrad_();
        // Decayed weights at half the rate; undecayed bias at the full rate; a parameter that never gets a gradient.
        using var opt = new AdamW(
        [
            new ParamGroup([w, noGrad], weightDecay: 0.1, learningRateScale: 0.5),
            new ParamGroup([b], weightDecay: 0),
        ], Lr1, Beta1, Beta2, Eps);

        var refW = new Reference(W0);
        var refB = new Reference(B0);
        for (var t = 1; t <= 2; t++)
        {
            var lr = t == 1 ? Lr1 : Lr2; // a schedule changes the rate between steps
            opt.LearningRate = lr;
            w.Grad = Tensor.FromArray(WGrads[t - 1], 2, 3).To(dtype);
            b.Grad = Tensor.FromArray(BGrads[t - 1]).To(dtype);
            opt.Step();
            refW.Step(WGrads[t - 1], lr * 0.5, 0.1, t);
            refB.Step(BGrads[t - 1], lr, 0, t);

            AssertClose(refW.P, w, tolerance);
            AssertClose(refB.P, b, tolerance);
            AssertClose(Frozen0, noGrad, 0); // no gradient: neither decayed nor moved
        }
        Assert.Equal(2, opt.StepCount);
    }

    [Fact]
    public void WeightDecayAloneShrinksTheWeightByLrTimesDecay()
    {
        using var scope = DisposeScope.Begin();
        var p = Tensor.FromArray(new[] { 2.0, -4.0 }).RequiresGrad_();
        using var opt = new AdamW([new ParamGroup([p], weightDecay: 0.5)], learningRate: 0.1);
        p.Grad = Tensor.Zeros([2], ScalarType.Float64);
        opt.Step();
        // m = v = 0, so only the decay acts: p·(1 − 0.1·0.5).
        AssertClose([1.9, -3.8], p, 1e-15);
    }

    [Fact]
    public void ZeroGradDropsGradientsAndStepThenLeavesParametersAlone()
    {
        using var scope = DisposeScope.Begin();
        var p = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_();
        using var opt = new AdamW([p], learningRate: 0.1, weightDecay: 0.3);
        (p * p).Sum().Backward();
        Assert.NotNull(p.Grad);
        opt.ZeroGrad();
        Assert.Null(p.Grad);
        var before = p.ToArray<double>();
        opt.Step();
        Assert.Equal(before, p.ToArray<double>());
    }

    [Fact]
    public void StateDictRestoresMomentsSoTrainingResumesIdentically()
    {
        using var scope = DisposeScope.Begin();
        var a = Tensor.FromArray(W0).RequiresGrad_();
        var b = Tensor.FromArray(W0).RequiresGrad_();
        using var optA = new AdamW([a], 0.01);
        using var optB = new AdamW([b], 0.01);
        a.Grad = Tensor.FromArray(WGrads[0]);
        optA.Step();
        using (GradMode.NoGrad()) b.Copy_(a);
        var state = optA.StateDict();
        optB.LoadStateDict(state);
        foreach (var t in state.Values) t.Dispose();

        a.Grad = Tensor.FromArray(WGrads[1]);
        b.Grad = Tensor.FromArray(WGrads[1]);
        optA.Step();
        optB.Step();
        Assert.Equal(a.ToArray<double>(), b.ToArray<double>());
        Assert.Equal(2, optB.StepCount);
    }

    [Fact]
    public void BadHyperparametersAreRejectedWithTheirName()
    {
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(Array.Empty<ParamGroup>(), beta1: 1.0)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(Array.Empty<ParamGroup>(), learningRate: -1)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(Array.Empty<ParamGroup>(), eps: 0)).ParamName);
    }

    private static void AssertClose(double[] expected, Tensor actual, double tolerance)
    {
        using var d = actual.Detach().To(ScalarType.Float64);
        var a = d.ToArray<double>();
        Assert.Equal(expected.Length, a.Length);
        for (var i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {a[i]:R}");
    }
}
