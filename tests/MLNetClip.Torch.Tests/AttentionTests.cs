namespace MLNetClip.Torch.Tests;

/// <summary>
/// Scaled-dot-product attention against softmax(Q·Kᵀ·scale + mask)·V spelled out with plain
/// matmul/softmax ops, and once against managed loops that touch no libtorch maths at all.
/// Runs on <see cref="TestDevice.Current"/>, so on a GPU it checks the fused 2.x kernels.
/// </summary>
public class AttentionTests
{
    private const int B = 2, H = 3, L = 5, S = 7, E = 8, Ev = 6;

    private static (Tensor Q, Tensor K, Tensor V) Inputs(Generator g, long l = L, long s = S) =>
        (Tensor.Randn([B, H, l, E], g).To(Dev), Tensor.Randn([B, H, s, E], g).To(Dev), Tensor.Randn([B, H, s, Ev], g).To(Dev));

    private static Device Dev => TestDevice.Current;

    private static Tensor Explicit(Tensor q, Tensor k, Tensor v, double scale, Tensor? additive = null)
    {
        var scores = q.MatMul(k.MT) * scale;
        if (additive is not null) scores = scores + additive;
        return F.Softmax(scores, -1).MatMul(v);
    }

    // Turns a keep-mask into the additive form: 0 where kept, -inf where dropped.
    private static Tensor Additive(Tensor keep) => Tensor.Zeros(keep.Shape, device: keep.Device).MaskedFill(keep.LogicalNot(), double.NegativeInfinity);

    private static Tensor RandomKeepMask(Generator g, long l, long s)
    {
        // Column 0 is always kept so that no row is entirely masked.
        var keep = Tensor.Rand([l, s - 1], g).Gt(0.4);
        return Tensor.Cat([Tensor.Ones([l, 1], ScalarType.Bool), keep], 1).To(Dev);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<float>();
        var a = actual.ToArray<float>();
        for (var i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol, $"element {i}: expected {e[i]}, got {a[i]}");
    }

    [Fact]
    public void WithoutMaskEqualsExplicitSoftmax()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(1);
        var (q, k, v) = Inputs(g);
        AssertClose(Explicit(q, k, v, 1 / Math.Sqrt(E)), F.ScaledDotProductAttention(q, k, v));
    }

    [Fact]
    public void BoolMaskKeepsWhereTrue()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(2);
        var (q, k, v) = Inputs(g);
        var keep = RandomKeepMask(g, L, S);
        var actual = F.ScaledDotProductAttention(q, k, v, keep);
        AssertClose(Explicit(q, k, v, 1 / Math.Sqrt(E), Additive(keep)), actual);
        // The mask really changed something.
        Assert.False(actual.AllClose(F.ScaledDotProductAttention(q, k, v), 1e-3, 1e-3));
    }

    [Fact]
    public void PerBatchBoolMaskBroadcastsOverHeads()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(3);
        var (q, k, v) = Inputs(g);
        var keep = Tensor.Stack([RandomKeepMask(g, L, S), RandomKeepMask(g, L, S)]).Unsqueeze(1); // [B, 1, L, S]
        AssertClose(Explicit(q, k, v, 1 / Math.Sqrt(E), Additive(keep)), F.ScaledDotProductAttention(q, k, v, keep));
    }

    [Fact]
    public void FloatMaskIsAddedToTheScores()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(4);
        var (q, k, v) = Inputs(g);
        var bias = (Tensor.Randn([L, S], g) * 2).To(Dev);
        AssertClose(Explicit(q, k, v, 1 / Math.Sqrt(E), bias), F.ScaledDotProductAttention(q, k, v, bias));
    }

    [Fact]
    public void CausalMasksFutureKeys()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(5);
        var (q, k, v) = Inputs(g, L, L);
        var keep = Tensor.Ones([L, L], ScalarType.Bool, Dev).Tril();
        var actual = F.ScaledDotProductAttention(q, k, v, isCausal: true);
        AssertClose(Explicit(q, k, v, 1 / Math.Sqrt(E), Additive(keep)), actual);
        // The first query sees only the first key.
        AssertClose(v.Narrow(2, 0, 1), actual.Narrow(2, 0, 1));
    }

    [Fact]
    public void CustomScaleReplacesInverseSquareRootOfWidth()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(6);
        var (q, k, v) = Inputs(g);
        AssertClose(Explicit(q, k, v, 0.05), F.ScaledDotProductAttention(q, k, v, scale: 0.05));
        AssertClose(Explicit(q, k, v, 1.7), F.ScaledDotProductAttention(q, k, v, scale: 1.7));
    }

    [Fact]
    public void AttentionWeightsEqualExplicitSoftmax()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(7);
        var (q, k, _) = Inputs(g);
        var keep = RandomKeepMask(g, L, S);
        AssertClose(F.Softmax(q.MatMul(k.MT) / Math.Sqrt(E), -1), F.AttentionWeights(q, k));
        AssertClose(F.Softmax(q.MatMul(k.MT) * 0.3 + Additive(keep), -1), F.AttentionWeights(q, k, keep, 0.3));
        var rowSums = F.AttentionWeights(q, k, keep).Sum(-1).ToArray<float>();
        Assert.All(rowSums, s => Assert.Equal(1f, s, 1e-5f));
    }

    [Fact]
    public void MatchesManagedReferenceLoops()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(8);
        var q = Tensor.Randn([L, E], g, ScalarType.Float64);
        var k = Tensor.Randn([S, E], g, ScalarType.Float64);
        var v = Tensor.Randn([S, Ev], g, ScalarType.Float64);
        var keep = RandomKeepMask(g, L, S);
        var actual = F.ScaledDotProductAttention(q, k, v, keep).ToArray<double>();

        double[] qa = q.ToArray<double>(), ka = k.ToArray<double>(), va = v.ToArray<double>();
        var ma = keep.ToArray<bool>();
        var scale = 1 / Math.Sqrt(E);
        for (var i = 0; i < L; i++)
        {
            var w = new double[S];
            for (var j = 0; j < S; j++)
            {
                double dot = 0;
                for (var e = 0; e < E; e++) dot += qa[i * E + e] * ka[j * E + e];
                w[j] = ma[i * S + j] ? Math.Exp(dot * scale) : 0;
            }
            var total = w.Sum();
            for (var c = 0; c < Ev; c++)
            {
                double o = 0;
                for (var j = 0; j < S; j++) o += w[j] / total * va[j * Ev + c];
                Assert.Equal(o, actual[i * Ev + c], 1e-12);
            }
        }
    }
}
