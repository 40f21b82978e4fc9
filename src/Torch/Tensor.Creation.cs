using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

public sealed unsafe partial class Tensor
{
    /// <summary>Copies <paramref name="data"/> into a new CPU tensor of the given shape (the data's length when omitted).</summary>
    public static Tensor FromArray<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [data.Length];
        fixed (T* p = data)
        fixed (long* s = shape)
            return Wrap(N.mlc_tensor_from_data(p, (long)data.Length * sizeof(T), s, shape.Length, (int)ScalarTypeExtensions.Of<T>()));
    }

    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromArray((ReadOnlySpan<T>)data, shape);

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Full([], value, dtype, device);

    /// <summary>Interprets little-endian element bytes as a CPU tensor; the way in for bf16 and f16 data.</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType dtype, params long[] shape)
    {
        fixed (byte* p = bytes)
        fixed (long* s = shape)
            return Wrap(N.mlc_tensor_from_data(p, bytes.Length, s, shape.Length, (int)dtype));
    }

    public static Tensor Empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(N.mlc_empty(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(N.mlc_zeros(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(N.mlc_ones(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(N.mlc_full(s, shape.Length, value, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Wrap(N.mlc_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Arange(long end, ScalarType dtype = ScalarType.Int64, Device? device = null) =>
        Arange(0, end, 1, dtype, device);

    public static Tensor Randn(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape)
        {
            var h = N.mlc_randn(s, shape.Length, Generator.HandleOf(generator), (int)dtype, (int)d.Type, d.Index);
            GC.KeepAlive(generator);
            return Wrap(h);
        }
    }

    public static Tensor Rand(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape)
        {
            var h = N.mlc_rand(s, shape.Length, Generator.HandleOf(generator), (int)dtype, (int)d.Type, d.Index);
            GC.KeepAlive(generator);
            return Wrap(h);
        }
    }

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor RandInt(long low, long high, long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape)
        {
            var h = N.mlc_randint(low, high, s, shape.Length, Generator.HandleOf(generator), (int)dtype, (int)d.Type, d.Index);
            GC.KeepAlive(generator);
            return Wrap(h);
        }
    }

    public static Tensor RandPerm(long n, Generator? generator = null, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        var h = N.mlc_randperm(n, Generator.HandleOf(generator), (int)dtype, (int)d.Type, d.Index);
        GC.KeepAlive(generator);
        return Wrap(h);
    }

    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape, t.DType, t.Device);

    public static Tensor OnesLike(Tensor t) => Ones(t.Shape, t.DType, t.Device);
}
