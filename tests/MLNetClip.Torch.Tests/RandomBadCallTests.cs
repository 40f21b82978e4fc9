namespace MLNetClip.Torch.Tests;

/// <summary>
/// A thousand calls with random shapes and indices that are each certainly wrong: every one
/// must surface as a <see cref="TorchException"/> carrying a message, never a crash, and the
/// process must carry on computing (and leak nothing) afterwards.
/// </summary>
public class RandomBadCallTests
{
    private static long D(Random r) => r.Next(1, 6);

    // A size from 2..6 that differs from n.
    private static long Other(Random r, long n)
    {
        long m;
        do m = r.Next(2, 7); while (m == n);
        return m;
    }

    private static Tensor R(params long[] shape) => Tensor.Randn(shape);

    private static readonly (string Name, Func<Random, object> Call)[] BadCalls =
    [
        ("matmul inner", r => { var k = D(r); return R(D(r), k).MatMul(R(Other(r, k), D(r))); }),
        ("matmul batch", r => { var b = r.Next(2, 5); return R(b, 2, 3).MatMul(R(Other(r, b), 3, 2)); }),
        ("bmm rank", r => R(D(r), D(r)).Bmm(R(D(r), D(r)))),
        ("linear", r => { var k = D(r); return F.Linear(R(D(r), k), R(D(r), Other(r, k))); }),
        ("view numel", r => { var a = D(r); var b = D(r); return R(a, b).View(a * b + r.Next(1, 4)); }),
        ("view strides", r => R(r.Next(2, 5), r.Next(2, 5)).MT.View(-1)),
        ("reshape two -1", r => R(D(r), D(r)).Reshape(-1, -1)),
        ("cat shapes", r => { var c = D(r); return Tensor.Cat([R(D(r), c), R(D(r), Other(r, c))]); }),
        ("cat ranks", r => Tensor.Cat([R(D(r), 2), R(D(r), 2, 1)])),
        ("stack shapes", r => { var n = D(r); return Tensor.Stack([R(n), R(Other(r, n))]); }),
        ("gather index", r => { var n = D(r); return R(3, n).Gather(1, Tensor.FromArray(new[] { n + r.Next(0, 5) }, 1, 1)); }),
        ("gather negative", r => R(3, 4).Gather(1, Tensor.FromArray(new[] { -1L - r.Next(0, 9) }, 1, 1))),
        ("index_select", r => { var n = D(r); return R(n, 2).IndexSelect(0, Tensor.FromArray(new[] { 0, n + r.Next(0, 5) })); }),
        ("embedding", r => { var n = D(r); return F.Embedding(R(n, 3), Tensor.FromArray(new[] { n + r.Next(0, 5) })); }),
        ("scatter index", r => { var n = D(r); return R(2, n).Scatter(1, Tensor.FromArray(new[] { n + r.Next(0, 3) }, 1, 1), R(1, 1)); }),
        ("index_put", r => { var n = D(r); return R(n, 2).IndexPut(Tensor.FromArray(new[] { n + r.Next(0, 3) }), R(1, 2)); }),
        ("narrow", r => { var n = D(r); return R(n).Narrow(0, r.Next(0, (int)n), n + 1); }),
        ("select", r => { var n = D(r); return R(2, n).Select(1, n + r.Next(0, 3)); }),
        ("permute repeated", r => R(2, 3, 4).Permute(0, 1, 1)),
        ("permute rank", r => R(2, 3).Permute(0, 1, 2)),
        ("transpose dim", r => R(D(r), D(r)).Transpose(0, 2 + r.Next(0, 5))),
        ("squeeze dim", r => R(D(r), D(r)).Squeeze(3 + r.Next(0, 3))),
        ("sum dim", r => R(D(r), D(r)).Sum(2 + r.Next(0, 5))),
        ("softmax dim", r => F.Softmax(R(D(r), D(r)), -3 - r.Next(0, 3))),
        ("expand", r => { var n = r.Next(2, 5); return R(n, 1).Expand(Other(r, n), 4); }),
        ("broadcast add", r => { var n = r.Next(2, 6); return R(n) + R(Other(r, n)); }),
        ("split sizes", r => R(6, 2).Split([1, 2, r.Next(4, 8)], 0)),
        ("split dim", r => R(D(r), D(r)).Split(1, 2 + r.Next(0, 3))),
        ("chunk count", r => R(D(r)).Chunk(-r.Next(0, 3))),
        ("topk k", r => { var n = D(r); return R(n).TopK(n + r.Next(1, 4)).Values; }),
        ("cross_entropy target", r => { var c = D(r); return F.CrossEntropy(R(2, c), Tensor.FromArray(new[] { 0, c + r.Next(0, 4) })); }),
        ("conv2d channels", r => { var c = D(r); return F.Conv2d(R(1, c, 5, 5), R(2, Other(r, c), 3, 3)); }),
        ("layer_norm shape", r => { var n = D(r); return F.LayerNorm(R(2, n), [Other(r, n)]); }),
        ("sdpa width", r => { var e = r.Next(2, 6); return F.ScaledDotProductAttention(R(1, 3, e), R(1, 3, Other(r, e)), R(1, 3, e)); }),
        ("masked_fill mask shape", r => { var n = r.Next(2, 6); return R(2, n).MaskedFill(Tensor.Ones([Other(r, n)], ScalarType.Bool), 0); }),
        ("multinomial negative", r => Tensor.FromArray(new[] { 1f, -1f - r.Next(0, 3) }).Multinomial(1)),
        ("multinomial too many", r => Tensor.Ones([3]).Multinomial(4 + r.Next(0, 3), replacement: false)),
        ("zeros negative", r => Tensor.Zeros([2, -1 - r.Next(0, 5)])),
        ("arange zero step", r => Tensor.Arange(0, D(r), 0)),
        ("randint empty range", r => { var lo = D(r); return Tensor.RandInt(lo, lo - r.Next(0, 3), [2]); }),
        ("from_bytes length", r => Tensor.FromBytes(new byte[r.Next(1, 7) * 4 + 1], ScalarType.Float32, 2)),
        ("copy_ shape", r => { var n = r.Next(2, 6); return Tensor.Zeros([n]).Copy_(R(Other(r, n))); }),
        ("backward non-scalar", r => { R(D(r) + 1).RequiresGrad_().Exp().Backward(); return 0; }),
        ("backward without grad", r => { R(D(r)).Sum().Backward(); return 0; }),
        ("item of many", r => R(D(r) + 1).Item()),
        ("generator state", r => { using var g = new Generator(1); g.SetState(Tensor.Zeros([r.Next(1, 100)], ScalarType.UInt8)); return 0; }),
    ];

    [Fact]
    public void AThousandBadCallsAllThrowTorchExceptionAndTheProcessGoesOn()
    {
        var baseline = DisposeScopeTests.SettledLiveCount();
        var random = new Random(99);
        var failures = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var (name, call) = BadCalls[random.Next(BadCalls.Length)];
            using var scope = DisposeScope.Begin();
            try
            {
                call(random);
                failures.Add($"call {i} ({name}) succeeded");
            }
            catch (TorchException e)
            {
                if (string.IsNullOrWhiteSpace(e.Message) || e.Message.Contains("without a message"))
                    failures.Add($"call {i} ({name}) threw without libtorch's message");
            }
            catch (Exception e)
            {
                failures.Add($"call {i} ({name}) threw {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(30)));

        using (var scope = DisposeScope.Begin())
        {
            var x = Tensor.FromArray(new[] { 1f, 2f, 3f, 4f }, 2, 2);
            Assert.Equal(new[] { 7f, 10f, 15f, 22f }, x.MatMul(x).ToArray<float>());
        }
        Assert.Equal(baseline, DisposeScopeTests.SettledLiveCount());
    }

    [Fact]
    public void EveryKindOfBadCallIsExercised()
    {
        // With 1000 draws over the kinds, each is hit many times; guard against the list growing past that.
        Assert.InRange(BadCalls.Length, 20, 100);
        Assert.Equal(BadCalls.Length, BadCalls.Select(c => c.Name).Distinct().Count());
    }
}
