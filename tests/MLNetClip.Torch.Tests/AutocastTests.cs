namespace MLNetClip.Torch.Tests;

/// <summary>
/// CPU autocast as libtorch 1.13 implements it: matmul, linear, bmm and conv run in bf16;
/// elementwise ops, softmax and layer_norm keep the dtype they are given; f16 is refused.
/// </summary>
public class AutocastTests
{
    [Fact]
    public void MatmulInsideCpuAutocastIsBf16AndCloseToFloat32()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(3);
        var a = Tensor.Randn([16, 32], g);
        var b = Tensor.Randn([32, 8], g);
        var exact = a.MatMul(b);
        Assert.Equal(ScalarType.Float32, exact.DType);

        Tensor low;
        using (new Autocast(DeviceType.Cpu))
            low = a.MatMul(b);
        Assert.Equal(ScalarType.BFloat16, low.DType);

        // bf16 keeps 8 significant bits: inputs rounded by 2^-9 relative, over 32 products.
        var e = exact.ToArray<float>();
        var l = low.To(ScalarType.Float32).ToArray<float>();
        var scale = e.Max(Math.Abs);
        var worst = e.Zip(l, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst < 0.05 * scale, $"bf16 result off by {worst} (largest value {scale})");
        Assert.True(worst > 0, "a bf16 matmul that equals the f32 one exactly did not run in bf16");

        Assert.Equal(ScalarType.Float32, a.MatMul(b).DType);
    }

    [Fact]
    public void LinearBmmAndConvAreCastButElementwiseOpsAreNot()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(4);
        var x = Tensor.Randn([4, 8], g);
        var w = Tensor.Randn([6, 8], g);
        var img = Tensor.Randn([1, 3, 6, 6], g);
        var kernel = Tensor.Randn([2, 3, 2, 2], g);
        using (new Autocast(DeviceType.Cpu))
        {
            Assert.Equal(ScalarType.BFloat16, F.Linear(x, w).DType);
            Assert.Equal(ScalarType.BFloat16, x.Unsqueeze(0).Bmm(w.MT.Unsqueeze(0)).DType);
            Assert.Equal(ScalarType.BFloat16, F.Conv2d(img, kernel).DType);
            Assert.Equal(ScalarType.Float32, (x + x).DType);
            Assert.Equal(ScalarType.Float32, F.Softmax(x, -1).DType);
            Assert.Equal(ScalarType.Float32, F.LayerNorm(x, [8]).DType);
        }
    }

    [Fact]
    public void GradientsOfFloat32LeavesStayFloat32()
    {
        using var scope = DisposeScope.Begin();
        using var g = new Generator(5);
        var a = Tensor.Randn([5, 4], g).RequiresGrad_();
        var b = Tensor.Randn([4, 3], g);
        using (new Autocast(DeviceType.Cpu))
            a.MatMul(b).Sum().Backward();
        var grad = a.Grad!;
        Assert.Equal(ScalarType.Float32, grad.DType);
        // d/da Σ a·b = 1·bᵀ: every row is b's row sums, to bf16 precision.
        var rowSums = b.Sum(1).ToArray<float>();
        var ga = grad.ToArray<float>();
        for (var i = 0; i < ga.Length; i++) Assert.Equal(rowSums[i % 4], ga[i], 0.05f);
    }

    [Fact]
    public void NestedScopesRestoreTheOuterState()
    {
        using var scope = DisposeScope.Begin();
        var a = Tensor.Ones([2, 2]);
        using (new Autocast(DeviceType.Cpu))
        {
            using (new Autocast(DeviceType.Cpu))
                Assert.Equal(ScalarType.BFloat16, a.MatMul(a).DType);
            Assert.Equal(ScalarType.BFloat16, a.MatMul(a).DType);
        }
        Assert.Equal(ScalarType.Float32, a.MatMul(a).DType);
    }

    [Fact]
    public void RefusedDtypeLeavesAutocastOff()
    {
        using var scope = DisposeScope.Begin();
        var a = Tensor.Ones([2, 2]);
        // 1.13 takes only bf16 on the CPU; later libtorch also accepts f16. Either way the
        // state afterwards must be plain float32.
        try
        {
            using (new Autocast(DeviceType.Cpu, ScalarType.Float16))
                Assert.Equal(ScalarType.Float16, a.MatMul(a).DType);
        }
        catch (TorchException e)
        {
            Assert.Contains("Bfloat16", e.Message, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(ScalarType.Float32, a.MatMul(a).DType);
    }
}
