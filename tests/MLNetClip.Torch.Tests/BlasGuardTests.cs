using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace MLNetClip.Torch.Tests;

/// <summary>
/// Debian's libtorch silently falls back to reference BLAS when libopenblas0-pthread is
/// missing, which makes training ~30× slower. Reference BLAS runs a 512×512 matmul only about
/// 3× faster than a plain managed loop, OpenBLAS 30× or more; so the guard is a ratio
/// measured in one process, not a time limit.
/// </summary>
public class BlasGuardTests
{
    private const int N = 512;
    private const double MinimumSpeedup = 10;

    [Fact]
    public void MatmulIsFarFasterThanAManagedDotProductLoop()
    {
        var random = new Random(17);
        var a = new float[N * N];
        var b = new float[N * N];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = (float)(random.NextDouble() - 0.5);
            b[i] = (float)(random.NextDouble() - 0.5);
        }
        using var scope = DisposeScope.Begin();
        var ta = Tensor.FromArray(a, N, N);
        var tb = Tensor.FromArray(b, N, N);
        var bt = Transpose(b);

        // Warm-up: libtorch's first call spins up its thread pools; the managed loop gets jitted.
        using (var warm = DisposeScope.Begin())
            for (var i = 0; i < 3; i++) ta.MatMul(tb);
        var naive = Naive(a, bt);

        // Interleaved rounds, best of each, so that load from other processes hits both sides alike.
        double bestTorch = double.MaxValue, bestNaive = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                using var inner = DisposeScope.Begin();
                var sw = Stopwatch.StartNew();
                ta.MatMul(tb);
                bestTorch = Math.Min(bestTorch, sw.Elapsed.TotalSeconds);
            }
            var swNaive = Stopwatch.StartNew();
            Naive(a, bt);
            bestNaive = Math.Min(bestNaive, swNaive.Elapsed.TotalSeconds);
        }

        // The baseline computes the same product, so it is a fair reference.
        var torch = ta.MatMul(tb).ToArray<float>();
        for (var i = 0; i < torch.Length; i += 997)
            Assert.Equal(naive[i], torch[i], 1e-3f);

        var speedup = bestNaive / bestTorch;
        Assert.True(speedup >= MinimumSpeedup,
            $"a {N}×{N} float32 matmul took {bestTorch * 1e3:F2} ms in libtorch and {bestNaive * 1e3:F1} ms in a managed loop: " +
            $"only {speedup:F1}× faster (need {MinimumSpeedup}×). libtorch is probably on reference BLAS; install libopenblas0-pthread. " +
            $"Loaded BLAS: {string.Join(", ", TorchRuntime.LoadedBlasLibraries())}");
    }

    [Fact]
    public void OpenBlasIsLoadedAfterAMatmul()
    {
        using (var scope = DisposeScope.Begin())
            Tensor.Ones([64, 64]).MatMul(Tensor.Ones([64, 64]));
        var loaded = TorchRuntime.LoadedBlasLibraries();
        Assert.Contains(loaded, p => p.Contains("openblas", StringComparison.OrdinalIgnoreCase));
    }

    private static float[] Transpose(float[] m)
    {
        var t = new float[m.Length];
        for (var i = 0; i < N; i++)
            for (var j = 0; j < N; j++)
                t[j * N + i] = m[i * N + j];
        return t;
    }

    // One dot product per output element. The float sum is a strict dependency chain the JIT
    // may not reorder, so this stays scalar on every runtime: a stable yardstick.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float[] Naive(float[] a, float[] bt)
    {
        var c = new float[N * N];
        for (var i = 0; i < N; i++)
        {
            for (var j = 0; j < N; j++)
            {
                var sum = 0f;
                for (var k = 0; k < N; k++) sum += a[i * N + k] * bt[j * N + k];
                c[i * N + j] = sum;
            }
        }
        return c;
    }
}
