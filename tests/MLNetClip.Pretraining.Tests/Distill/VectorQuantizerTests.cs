using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Distill;

public class VectorQuantizerTests
{
    [Fact]
    public void PicksTheCodeOfHighestCosineAndReturnsItExactly()
    {
        using var scope = DisposeScope.Begin();
        Generator.ManualSeed(2);
        using var vq = new VectorQuantizer(size: 7, dim: 3, decay: 0.99, reinitDeadCodes: false);
        var z = Tensor.Randn([20, 3]) * 3.0;
        var (quantized, _, ids) = vq.Quantize(z);
        var codes = vq.Codebook.ToArray<float>();
        var rows = z.ToArray<float>();
        var got = ids.ToArray<long>();
        for (var i = 0; i < 20; i++)
        {
            var best = Enumerable.Range(0, 7).MaxBy(c => Cosine(rows.AsSpan(i * 3, 3), codes.AsSpan(c * 3, 3)));
            Assert.Equal(best, got[i]);
        }
        Assert.True(quantized.AllClose(vq.Codebook.IndexSelect(0, ids), rtol: 0, atol: 1e-7), "the quantised vector is not the chosen code");
    }

    [Fact]
    public void StraightThroughGradientIsTheIdentity()
    {
        using var scope = DisposeScope.Begin();
        Generator.ManualSeed(4);
        using var vq = new VectorQuantizer(size: 5, dim: 3, decay: 0.99, reinitDeadCodes: false);
        var upstream = Tensor.Randn([6, 3]);
        var z = Tensor.Randn([6, 3]).RequiresGrad_();
        var (quantized, _, _) = vq.Quantize(z);
        (quantized * upstream).Sum().Backward();
        // As if the quantiser were not there: the gradient of the normalised input alone.
        var reference = z.Detach().RequiresGrad_();
        (F.Normalize(reference) * upstream).Sum().Backward();
        Assert.True(z.Grad!.AllClose(reference.Grad!, rtol: 0, atol: 1e-6), "the quantiser changed the gradient");
    }

    [Fact]
    public void EmaUpdateMatchesAHandComputation()
    {
        using var scope = DisposeScope.Begin();
        using var vq = Quantizer(reinit: false);
        var (z, ids) = Batch(vq);
        Assert.Equal(new long[] { 0, 0, 1 }, ids.ToArray<long>());
        vq.Update(F.Normalize(z), ids);

        double[] n0 = Unit(3, 1), n1 = Unit(2, 1), n2 = Unit(1, 4);
        var mean0 = Unit((n0[0] + n1[0]) / 2, (n0[1] + n1[1]) / 2);
        double[][] expected =
        [
            Unit(0.9 * 1 + 0.1 * mean0[0], 0.9 * 0 + 0.1 * mean0[1]),
            Unit(0.9 * 0 + 0.1 * n2[0], 0.9 * 1 + 0.1 * n2[1]),
            [-1, 0],                                                                    // chosen by none: unchanged
        ];
        AssertRows(expected, vq.Codebook.ToArray<float>());
        Assert.Equal(new[] { 0.2, 0.1, 0 }, vq.Hits.ToArray<float>().Select(h => Math.Round(h, 6)));
    }

    [Fact]
    public void DeadCodeMovesOntoAnInputOnlyWhenReinitialisationIsOn()
    {
        using var scope = DisposeScope.Begin();
        using var on = Quantizer(reinit: true);
        var (z, ids) = Batch(on);
        using var generator = new Generator(9);
        on.Update(F.Normalize(z), ids, generator);
        var code2 = on.Codebook.ToArray<float>()[4..6];
        var inputs = new[] { Unit(3, 1), Unit(2, 1), Unit(1, 4) };
        Assert.Contains(inputs, n => Math.Abs(n[0] - code2[0]) < 1e-6 && Math.Abs(n[1] - code2[1]) < 1e-6);
        Assert.Equal(0.1, on.Hits.ToArray<float>()[2], 6);                             // one fresh hit, so not dead again at once

        using var off = Quantizer(reinit: false);
        var (z2, ids2) = Batch(off);
        off.Update(F.Normalize(z2), ids2);
        Assert.Equal(new float[] { -1, 0 }, off.Codebook.ToArray<float>()[4..6]);
    }

    // Codes (1, 0), (0, 1), (−1, 0) with decay 0.9.
    private static VectorQuantizer Quantizer(bool reinit)
    {
        var vq = new VectorQuantizer(size: 3, dim: 2, decay: 0.9, reinitDeadCodes: reinit);
        using var codes = Tensor.FromArray(new float[] { 1, 0, 0, 1, -1, 0 }, 3, 2);
        using (GradMode.NoGrad()) vq.Codebook.Copy_(codes);
        return vq;
    }

    private static (Tensor Z, Tensor Ids) Batch(VectorQuantizer vq)
    {
        var z = Tensor.FromArray(new float[] { 3, 1, 0.2f, 0.1f, 1, 4 }, 3, 2);
        return (z, vq.Nearest(z));
    }

    private static double[] Unit(double x, double y)
    {
        var n = Math.Sqrt(x * x + y * y);
        return [x / n, y / n];
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    private static void AssertRows(double[][] expected, float[] actual)
    {
        for (var r = 0; r < expected.Length; r++)
            for (var c = 0; c < expected[r].Length; c++)
                Assert.True(Math.Abs(expected[r][c] - actual[r * expected[r].Length + c]) < 1e-6,
                    $"code {r}[{c}]: expected {expected[r][c]}, got {actual[r * expected[r].Length + c]}");
    }
}
