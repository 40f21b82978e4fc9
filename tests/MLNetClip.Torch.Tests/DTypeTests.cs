namespace MLNetClip.Torch.Tests;

public class DTypeTests
{
    private static void RoundTrip<T>(T[] values, ScalarType expected) where T : unmanaged
    {
        using var t = Tensor.FromArray(values, 2, values.Length / 2);
        Assert.Equal(expected, t.DType);
        Assert.Equal(new long[] { 2, values.Length / 2 }, t.Shape);
        Assert.Equal(values, t.ToArray<T>());
    }

    [Fact]
    public void FromArrayToArrayRoundTripsEveryElementType()
    {
        RoundTrip(new[] { 1.5f, -0f, float.MaxValue, float.Epsilon, float.NegativeInfinity, 3.25e-20f }, ScalarType.Float32);
        RoundTrip(new[] { Math.PI, -1e300, double.Epsilon, 0.1 }, ScalarType.Float64);
        RoundTrip(new[] { long.MinValue, long.MaxValue, 0L, -42L }, ScalarType.Int64);
        RoundTrip(new[] { int.MinValue, int.MaxValue, 7, -7 }, ScalarType.Int32);
        RoundTrip(new[] { true, false, false, true }, ScalarType.Bool);
        RoundTrip(new byte[] { 0, 255, 128, 1 }, ScalarType.UInt8);
        RoundTrip(new[] { (Half)1.5f, Half.MaxValue, Half.Epsilon, (Half)(-0.0009765625f) }, ScalarType.Float16);
    }

    [Fact]
    public void NanSurvivesARoundTrip()
    {
        using var t = Tensor.FromArray(new[] { float.NaN, 1f });
        Assert.True(float.IsNaN(t.ToArray<float>()[0]));
        using var isNan = t.IsNan();
        Assert.Equal(new[] { true, false }, isNan.ToArray<bool>());
    }

    [Fact]
    public void ToArrayOfTheWrongTypeIsRefused()
    {
        using var t = Tensor.FromArray(new[] { 1f, 2f });
        var ex = Assert.Throws<InvalidOperationException>(() => t.ToArray<double>());
        Assert.Contains("Float32", ex.Message);
    }

    // bf16 is the upper half of an IEEE float32, so the expected bytes follow from BitConverter alone.
    private static byte[] Bf16Bytes(float[] values) =>
        values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))).ToArray();

    // Values exactly representable in bf16 (8 significant bits) and in f16 (11 bits, at most 65504).
    private static readonly float[] Representable = [1f, -2.75f, 0.15625f, 1024f, -0.0078125f, 384f, 0f, 65280f];

    [Fact]
    public void FromBytesReadsBf16()
    {
        using var t = Tensor.FromBytes(Bf16Bytes(Representable), ScalarType.BFloat16, 2, 4);
        Assert.Equal(ScalarType.BFloat16, t.DType);
        Assert.Equal(new long[] { 2, 4 }, t.Shape);
        using var f = t.To(ScalarType.Float32);
        Assert.Equal(Representable, f.ToArray<float>());
        Assert.Equal(Bf16Bytes(Representable), t.ToBytes());
    }

    [Fact]
    public void FromBytesReadsF16()
    {
        var values = Representable.Select(v => (Half)v).ToArray();
        var bytes = values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();
        using var t = Tensor.FromBytes(bytes, ScalarType.Float16, values.Length);
        Assert.Equal(values, t.ToArray<Half>());
    }

    [Fact]
    public void FromBytesWithTheWrongLengthIsATorchException()
    {
        var ex = Assert.Throws<TorchException>(() => Tensor.FromBytes(new byte[7], ScalarType.BFloat16, 2, 2));
        Assert.Contains("8 bytes", ex.Message);
    }

    [Fact]
    public void ConversionsBetweenFloatTypesAreExactForRepresentableValues()
    {
        using var scope = DisposeScope.Begin();
        var f16Values = Representable;
        using var f32 = Tensor.FromArray(f16Values);
        using var bf16 = f32.To(ScalarType.BFloat16);
        using var f16 = bf16.To(ScalarType.Float16);
        using var back16 = f16.To(ScalarType.BFloat16);
        using var back32 = back16.To(ScalarType.Float32);
        Assert.Equal(f16Values, back32.ToArray<float>());
        Assert.Equal(f16Values.Select(v => (Half)v), f16.ToArray<Half>());
        Assert.Equal(Bf16Bytes(f16Values), bf16.ToBytes());

        // 2^17 is exact in bf16 but beyond f16's largest finite value: it becomes infinity.
        using var big = Tensor.FromArray(new[] { 131072f }).To(ScalarType.BFloat16);
        using var bigF16 = big.To(ScalarType.Float16);
        Assert.True(Half.IsPositiveInfinity(bigF16.ToArray<Half>()[0]));
    }

    [Fact]
    public void Bf16RoundsToNearestEven()
    {
        using var scope = DisposeScope.Begin();
        // 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even one, 1.
        // 1 + 3·2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: the even one is 1 + 2^-6.
        using var t = Tensor.FromArray(new[] { 1f + 1f / 256, 1f + 3f / 256, 1f + 1.5f / 256 });
        using var r = t.To(ScalarType.BFloat16).To(ScalarType.Float32);
        Assert.Equal(new[] { 1f, 1f + 1f / 64, 1f + 1f / 128 }, r.ToArray<float>());
    }

    [Fact]
    public void IntegerAndBoolConversions()
    {
        using var t = Tensor.FromArray(new[] { -1.7f, 0f, 2.9f, 300f });
        using var i = t.To(ScalarType.Int64);
        Assert.Equal(new long[] { -1, 0, 2, 300 }, i.ToArray<long>()); // truncation toward zero
        using var b = t.To(ScalarType.Bool);
        Assert.Equal(new[] { true, false, true, true }, b.ToArray<bool>());
        using var f = b.To(ScalarType.Float64);
        Assert.Equal(new[] { 1.0, 0, 1, 1 }, f.ToArray<double>());
    }

    [Fact]
    public void ElementSizesMatchTheBytes()
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Int64, ScalarType.Int32, ScalarType.Bool, ScalarType.UInt8, ScalarType.Float16, ScalarType.BFloat16 })
        {
            using var t = Tensor.Zeros([3, 5], dtype);
            Assert.Equal(dtype, t.DType);
            Assert.Equal(15 * dtype.ElementSize(), t.ToBytes().Length);
        }
    }
}
