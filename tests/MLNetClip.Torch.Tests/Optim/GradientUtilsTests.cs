using MLNetClip.Torch.Optim;

namespace MLNetClip.Torch.Tests.Optim;

public class GradientUtilsTests
{
    private static readonly double[] G1 = [3.0, -4.0, 1.0, 2.0];
    private static readonly double[] G2 = [0.5, -0.25, 6.0];

    private static (Tensor A, Tensor B, Tensor NoGrad) WithGradients(double scale)
    {
        var a = Tensor.Zeros([2, 2], ScalarType.Float64).RequiresGrad_();
        var b = Tensor.Zeros([3], ScalarType.Float64).RequiresGrad_();
        var c = Tensor.Zeros([5], ScalarType.Float64).RequiresGrad_();
        a.Grad = Tensor.FromArray(G1.Select(v => v * scale).ToArray(), 2, 2);
        b.Grad = Tensor.FromArray(G2.Select(v => v * scale).ToArray());
        return (a, b, c);
    }

    private static double HandNorm(double scale) => Math.Sqrt(G1.Concat(G2).Sum(v => v * v * scale * scale));

    [Fact]
    public void ClipScalesEveryGradientByTheSameFactorToTheMaximumNorm()
    {
        using var scope = DisposeScope.Begin();
        var (a, b, c) = WithGradients(1);
        var total = HandNorm(1); // √(9+16+1+4+0.25+0.0625+36) ≈ 8.2
        var returned = GradientUtils.ClipGradNorm([a, b, c], maxNorm: 2.0);
        Assert.Equal(total, returned, 1e-6);

        var factor = 2.0 / (total + 1e-6);
        Assert.Equal(G1.Select(v => v * factor), a.Grad!.ToArray<double>(), (x, y) => Math.Abs(x - y) < 1e-7);
        Assert.Equal(G2.Select(v => v * factor), b.Grad!.ToArray<double>(), (x, y) => Math.Abs(x - y) < 1e-7);
        Assert.Null(c.Grad);
        var after = Math.Sqrt(a.Grad!.Square().Sum().Item() + b.Grad!.Square().Sum().Item());
        Assert.Equal(2.0, after, 1e-5);
    }

    [Fact]
    public void ClipLeavesGradientsBelowTheMaximumUntouched()
    {
        using var scope = DisposeScope.Begin();
        var (a, b, _) = WithGradients(0.01);
        var returned = GradientUtils.ClipGradNorm([a, b], maxNorm: 1.0);
        Assert.Equal(HandNorm(0.01), returned, 1e-7);
        Assert.Equal(G1.Select(v => v * 0.01), a.Grad!.ToArray<double>(), (x, y) => Math.Abs(x - y) < 1e-12);
    }

    [Fact]
    public void ClipWithoutAnyGradientReturnsZero()
    {
        using var scope = DisposeScope.Begin();
        var p = Tensor.Ones([3]).RequiresGrad_();
        Assert.Equal(0, GradientUtils.ClipGradNorm([p], 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientUtils.ClipGradNorm([p], 0));
    }

    [Fact]
    public void EmaUpdateBlendsTeacherTowardsStudent()
    {
        using var scope = DisposeScope.Begin();
        double[] t0 = [1.0, -2.0, 0.5], s0 = [3.0, 2.0, -0.5];
        var teacher = Tensor.FromArray(t0);
        var student = Tensor.FromArray(s0).RequiresGrad_();
        var teacherSteps = Tensor.FromArray(new[] { 5L });
        var studentSteps = Tensor.FromArray(new[] { 9L });

        GradientUtils.EmaUpdate([teacher, teacherSteps], [student, studentSteps], decay: 0.9);
        var once = t0.Zip(s0, (t, s) => 0.9 * t + 0.1 * s).ToArray();
        Assert.Equal(once, teacher.ToArray<double>(), (x, y) => Math.Abs(x - y) < 1e-14);
        Assert.Equal(9L, teacherSteps.ItemInt64()); // integer buffers are copied, not blended
        Assert.False(teacher.RequiresGrad);
        Assert.True(teacher.IsLeaf);

        GradientUtils.EmaUpdate([teacher], [student], decay: 0.5);
        var twice = once.Zip(s0, (t, s) => 0.5 * t + 0.5 * s).ToArray();
        Assert.Equal(twice, teacher.ToArray<double>(), (x, y) => Math.Abs(x - y) < 1e-14);
        Assert.Throws<ArgumentException>(() => GradientUtils.EmaUpdate([teacher], [student, studentSteps], 0.5));
    }

    [Fact]
    public void CosineScheduleFollowsWarmupThenHalfCosine()
    {
        const double baseLr = 1e-3, minLr = 1e-5;
        var s = new CosineSchedule(baseLr, warmupSteps: 10, totalSteps: 110, minLearningRate: minLr);
        double Cosine(double progress) => minLr + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (baseLr - minLr);

        Assert.Equal(baseLr / 10, s.At(0), 1e-15);       // warm-up start: (0 + 1)/10 of the base
        Assert.Equal(baseLr * 5 / 10, s.At(4), 1e-15);
        Assert.Equal(baseLr, s.At(9), 1e-15);            // warm-up end reaches the base rate
        Assert.Equal(baseLr, s.At(10), 1e-15);           // cosine starts at the top
        Assert.Equal(Cosine(0.25), s.At(35), 1e-15);
        Assert.Equal((baseLr + minLr) / 2, s.At(60), 1e-15); // halfway down
        Assert.Equal(Cosine(0.99), s.At(109), 1e-15);
        Assert.Equal(minLr, s.At(110), 1e-15);           // the end is the floor
        Assert.Equal(minLr, s.At(500), 1e-15);           // and stays there

        for (var step = 10; step < 110; step++)
            Assert.True(s.At(step + 1) <= s.At(step), $"rate rose at step {step}");
    }

    [Fact]
    public void CosineScheduleWithoutWarmupStartsAtTheBase()
    {
        var s = new CosineSchedule(0.5, warmupSteps: 0, totalSteps: 4);
        Assert.Equal(new[] { 0.5, 0.25 + 0.25 * Math.Cos(Math.PI / 4), 0.25, 0.25 + 0.25 * Math.Cos(3 * Math.PI / 4), 0 },
            Enumerable.Range(0, 5).Select(i => s.At(i)), (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.1, 5, 4));
    }
}
