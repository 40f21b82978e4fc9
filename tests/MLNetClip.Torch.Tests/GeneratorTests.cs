namespace MLNetClip.Torch.Tests;

public class GeneratorTests
{
    // One draw of every seeded sampler, flattened to doubles for comparison.
    private static double[] Draws(Generator g)
    {
        using var scope = DisposeScope.Begin();
        var probs = Tensor.FromArray(new[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f }, 2, 4);
        return Tensor.Randn([6], g).ToArray<float>().Select(v => (double)v)
            .Concat(Tensor.Rand([6], g).ToArray<float>().Select(v => (double)v))
            .Concat(Tensor.RandInt(0, 1000, [6], g).ToArray<long>().Select(v => (double)v))
            .Concat(Tensor.RandPerm(50, g).ToArray<long>().Select(v => (double)v))
            .Concat(probs.Multinomial(3, replacement: false, g).ToArray<long>().Select(v => (double)v))
            .Concat(probs.Multinomial(20, replacement: true, g).ToArray<long>().Select(v => (double)v))
            .Concat(Tensor.Empty([6]).Normal_(2, 3, g).ToArray<float>().Select(v => (double)v))
            .Concat(Tensor.Empty([6]).Uniform_(-1, 1, g).ToArray<float>().Select(v => (double)v))
            .ToArray();
    }

    [Fact]
    public void SameSeedGivesIdenticalDraws()
    {
        using var a = new Generator(42);
        using var b = new Generator(42);
        Assert.Equal(Draws(a), Draws(b));
        // And the sequences stay together on later draws.
        Assert.Equal(Draws(a), Draws(b));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentDraws()
    {
        using var a = new Generator(42);
        using var b = new Generator(43);
        using var scope = DisposeScope.Begin();
        Assert.NotEqual(Tensor.Randn([8], a).ToArray<float>(), Tensor.Randn([8], b).ToArray<float>());
        Assert.NotEqual(Tensor.RandPerm(20, a).ToArray<long>(), Tensor.RandPerm(20, b).ToArray<long>());
        var probs = Tensor.Ones([64]);
        Assert.NotEqual(probs.Multinomial(16, false, a).ToArray<long>(), probs.Multinomial(16, false, b).ToArray<long>());
    }

    [Fact]
    public void SuccessiveDrawsDiffer()
    {
        using var g = new Generator(7);
        Assert.NotEqual(Draws(g), Draws(g));
    }

    [Fact]
    public void GetStateSetStateReplaysExactly()
    {
        using var g = new Generator(2024);
        Draws(g); // move away from the freshly seeded state
        using var state = g.GetState();
        var first = Draws(g);
        var second = Draws(g);
        g.SetState(state);
        Assert.Equal(first, Draws(g));
        Assert.Equal(second, Draws(g));

        // The state carries over to another generator, whatever its own seed.
        using var other = new Generator(1);
        other.SetState(state);
        Assert.Equal(first, Draws(other));
    }

    [Fact]
    public void SeededGeneratorIgnoresTheGlobalOne()
    {
        using var a = new Generator(9);
        using var b = new Generator(9);
        Draws(a);
        using (var scope = DisposeScope.Begin())
            Tensor.Randn([100]); // global generator
        Draws(b);
        Assert.Equal(Draws(a), Draws(b));
    }

    [Fact]
    public void ManualSeedMakesTheGlobalGeneratorReproducible()
    {
        using var scope = DisposeScope.Begin();
        Generator.ManualSeed(77);
        var first = Tensor.Randn([5]).ToArray<float>();
        Generator.ManualSeed(77);
        Assert.Equal(first, Tensor.Randn([5]).ToArray<float>());
    }

    [Fact]
    public void RandomDrawsHaveTheirDistributionsShape()
    {
        using var g = new Generator(11);
        using var scope = DisposeScope.Begin();
        var n = Tensor.Randn([20000], g, ScalarType.Float64).ToArray<double>();
        Assert.Equal(0, n.Average(), 0.05);
        Assert.Equal(1, Math.Sqrt(n.Select(v => v * v).Average()), 0.05);
        var perm = Tensor.RandPerm(100, g).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), perm.Order());
        var ints = Tensor.RandInt(3, 7, [1000], g).ToArray<long>();
        Assert.All(ints, v => Assert.InRange(v, 3, 6));
        // Zero-probability classes are never drawn.
        var picks = Tensor.FromArray(new[] { 0f, 1f, 0f, 3f }).Multinomial(200, replacement: true, g).ToArray<long>();
        Assert.All(picks, p => Assert.True(p is 1 or 3));
    }
}
