namespace MLNetClip.Torch.Tests.Gradients;

/// <summary>How the values of one differentiable input are drawn.</summary>
public enum Domain
{
    /// <summary>Standard normal.</summary>
    Any,

    /// <summary>Uniform in [0.5, 2]: logs, roots, divisors and bases of powers.</summary>
    Positive,
}

/// <summary>One float64 input of a gradient check.</summary>
public sealed record GradInput(long[] Shape, Domain Domain = Domain.Any)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// An op under test: <see cref="Fn"/> receives one float64 tensor per input and returns a
/// float64 tensor. Constants it needs (indices, masks) are created inside it, so the
/// checker's dispose scope frees them.
/// </summary>
public sealed record GradCase(string Name, Func<Tensor[], Tensor> Fn, params GradInput[] Inputs)
{
    public override string ToString() => Name;
}

/// <summary>An analytic gradient element that disagrees with its central difference.</summary>
public sealed record GradMismatch(int Input, long Element, double Analytic, double Numeric)
{
    public override string ToString() => $"input {Input} element {Element}: autograd {Analytic:R}, finite difference {Numeric:R}";
}

/// <summary>
/// Compares libtorch's backward pass with central finite differences of
/// L(x) = Σ f(x)·w for fixed random weights w, in float64. The loss is summed in managed
/// doubles from the output's values, so the numeric side depends on nothing but the
/// forward pass.
/// </summary>
public static class GradCheck
{
    public const double Eps = 1e-6;
    public const double Tolerance = 1e-5;

    public static IReadOnlyList<GradMismatch> Run(GradCase c, int seed = 1234)
    {
        var random = new Random(seed);
        var values = c.Inputs.Select(i => Draw(i, random)).ToArray();
        var weights = DrawWeights(c, values, random);
        var analytic = Analytic(c, values, weights);

        var mismatches = new List<GradMismatch>();
        for (var i = 0; i < values.Length; i++)
        {
            for (var j = 0; j < values[i].Length; j++)
            {
                var saved = values[i][j];
                values[i][j] = saved + Eps;
                var plus = Loss(c, values, weights);
                values[i][j] = saved - Eps;
                var minus = Loss(c, values, weights);
                values[i][j] = saved;
                var numeric = (plus - minus) / (2 * Eps);
                var a = analytic[i][j];
                if (!(Math.Abs(a - numeric) <= Tolerance * (1 + Math.Max(Math.Abs(a), Math.Abs(numeric)))))
                    mismatches.Add(new GradMismatch(i, j, a, numeric));
            }
        }
        return mismatches;
    }

    /// <summary>Fails the calling test with every mismatching element listed.</summary>
    public static void AssertGradientsMatch(GradCase c)
    {
        var mismatches = Run(c);
        if (mismatches.Count > 0)
            Assert.Fail($"{c.Name}: {mismatches.Count} gradient element(s) disagree:\n  " + string.Join("\n  ", mismatches.Take(20)));
    }

    private static double[] Draw(GradInput input, Random random)
    {
        var v = new double[input.Count];
        for (var i = 0; i < v.Length; i++)
            v[i] = input.Domain == Domain.Positive ? 0.5 + 1.5 * random.NextDouble() : Gaussian(random);
        return v;
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller; 1 - u keeps the logarithm finite.
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    private static double[] DrawWeights(GradCase c, double[][] values, Random random)
    {
        long count;
        using (var scope = DisposeScope.Begin())
        using (GradMode.NoGrad())
            count = Forward(c, values, requiresGrad: false).Out.NumberOfElements;
        var w = new double[count];
        for (var i = 0; i < w.Length; i++) w[i] = Gaussian(random);
        return w;
    }

    private static (Tensor[] Leaves, Tensor Out) Forward(GradCase c, double[][] values, bool requiresGrad)
    {
        var leaves = new Tensor[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            leaves[i] = Tensor.FromArray(values[i], c.Inputs[i].Shape);
            if (requiresGrad) leaves[i].RequiresGrad = true;
        }
        var output = c.Fn(leaves);
        if (output.DType != ScalarType.Float64)
            throw new InvalidOperationException($"{c.Name} returned {output.DType} for float64 inputs");
        return (leaves, output);
    }

    private static double Loss(GradCase c, double[][] values, double[] weights)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var output = Forward(c, values, requiresGrad: false).Out.ToArray<double>();
        var sum = 0.0;
        for (var i = 0; i < output.Length; i++) sum += output[i] * weights[i];
        return sum;
    }

    private static double[][] Analytic(GradCase c, double[][] values, double[] weights)
    {
        using var scope = DisposeScope.Begin();
        var (leaves, output) = Forward(c, values, requiresGrad: true);
        // An output cut off from its inputs has no graph: every true derivative it claims is zero.
        if (output.RequiresGrad)
        {
            var w = Tensor.FromArray(weights, output.Shape);
            (output * w).Sum().Backward();
        }
        var grads = new double[leaves.Length][];
        for (var i = 0; i < leaves.Length; i++)
        {
            var g = leaves[i].Grad;
            grads[i] = g?.ToArray<double>() ?? new double[values[i].Length];
        }
        return grads;
    }
}
