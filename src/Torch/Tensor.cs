using System.Runtime.CompilerServices;
using MLNetClip.Torch.Native;
using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

/// <summary>
/// An owned reference to a libtorch tensor. Dispose it, or create it inside a
/// <see cref="DisposeScope"/>; the finalizer is only a safety net.
/// </summary>
public sealed unsafe partial class Tensor : IDisposable
{
    private IntPtr _handle;

    internal Tensor(IntPtr handle)
    {
        _handle = handle;
        DisposeScope.Current?.Track(this);
    }

    ~Tensor() => Release();

    internal DisposeScope? Scope { get; set; }

    internal IntPtr Handle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Tensor));
    }

    public bool IsDisposed => _handle == IntPtr.Zero;

    /// <summary>Native tensor handles alive in this process (for leak tests).</summary>
    public static long LiveCount => N.mlc_live_tensors();

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) N.mlc_tensor_free(h);
    }

    /// <summary>Hands this tensor to the enclosing scope (or to nobody, at the outermost scope).</summary>
    public Tensor MoveToOuterScope()
    {
        var outer = Scope?.Outer;
        Scope?.Untrack(this);
        outer?.Track(this);
        return this;
    }

    /// <summary>Removes this tensor from every scope: the caller now owns it.</summary>
    public Tensor DetachFromScope()
    {
        Scope?.Untrack(this);
        return this;
    }

    // The trailing Tensor arguments are read after the native call returns, which keeps
    // them reachable (and so unfinalized) for the whole call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(IntPtr h) => h != IntPtr.Zero ? new Tensor(h) : throw TorchException.FromNative();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(IntPtr h, Tensor a)
    {
        GC.KeepAlive(a);
        return h != IntPtr.Zero ? new Tensor(h) : throw TorchException.FromNative();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(IntPtr h, Tensor a, Tensor? b)
    {
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        return h != IntPtr.Zero ? new Tensor(h) : throw TorchException.FromNative();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(IntPtr h, Tensor a, Tensor? b, Tensor? c)
    {
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(c);
        return h != IntPtr.Zero ? new Tensor(h) : throw TorchException.FromNative();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(int status, Tensor a, Tensor? b = null)
    {
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        if (status == 0) throw TorchException.FromNative();
    }

    internal static IntPtr HandleOrZero(Tensor? t) => t is null ? IntPtr.Zero : t.Handle;

    // ---- metadata ----

    public int Dim => (int)N.mlc_tensor_dim(Handle);

    public long[] Shape
    {
        get
        {
            var dim = Dim;
            var shape = new long[dim];
            fixed (long* p = shape) Check(N.mlc_tensor_shape(Handle, p, dim), this);
            return shape;
        }
    }

    public long Size(int dim)
    {
        var shape = Shape;
        var d = dim < 0 ? dim + shape.Length : dim;
        // Worded as libtorch words it, so a bad dim reads the same whichever side catches it.
        if (d < 0 || d >= shape.Length)
            throw new TorchException($"Dimension out of range (expected to be in range of [{-shape.Length}, {shape.Length - 1}], but got {dim})");
        return shape[d];
    }

    public long NumberOfElements => N.mlc_tensor_numel(Handle);

    public ScalarType DType => (ScalarType)N.mlc_tensor_dtype(Handle);

    public Device Device => new((DeviceType)N.mlc_tensor_device_type(Handle), N.mlc_tensor_device_index(Handle));

    public bool IsContiguous => N.mlc_tensor_is_contiguous(Handle) == 1;

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor({DType}, [{string.Join(", ", Shape)}], {Device})";

    // ---- data transfer ----

    /// <summary>Copies the elements (on the CPU, contiguous, row-major) into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var expected = ScalarTypeExtensions.Of<T>();
        if (DType != expected)
            throw new InvalidOperationException($"tensor holds {DType}, not {expected}; convert it with To({expected}) first");
        var result = new T[NumberOfElements];
        fixed (T* p = result) Check(N.mlc_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T)), this);
        return result;
    }

    /// <summary>Copies the raw element bytes (on the CPU, contiguous, little-endian).</summary>
    public byte[] ToBytes()
    {
        var result = new byte[NumberOfElements * DType.ElementSize()];
        fixed (byte* p = result) Check(N.mlc_tensor_copy_to(Handle, p, result.Length), this);
        return result;
    }

    /// <summary>Copies the raw element bytes into <paramref name="destination"/>, which must be exactly the right size.</summary>
    public void CopyTo(Span<byte> destination)
    {
        fixed (byte* p = destination) Check(N.mlc_tensor_copy_to(Handle, p, destination.Length), this);
    }

    /// <summary>
    /// The address of the first element of a contiguous CPU tensor, for filling it in place.
    /// Valid only while this tensor is alive; keep it alive (GC.KeepAlive) past the last use.
    /// </summary>
    internal void* DataPointer
    {
        get
        {
            var p = N.mlc_tensor_data_ptr(Handle);
            GC.KeepAlive(this);
            return p != null ? p : throw TorchException.FromNative();
        }
    }

    public double Item()
    {
        double v;
        Check(N.mlc_tensor_item(Handle, &v), this);
        return v;
    }

    public long ItemInt64()
    {
        long v;
        Check(N.mlc_tensor_item_int64(Handle, &v), this);
        return v;
    }

    public float ItemSingle() => (float)Item();

    // ---- conversion ----

    public Tensor To(ScalarType dtype) => To(Device, dtype);

    public Tensor To(Device device) => To(device, DType);

    public Tensor To(Device device, ScalarType dtype, bool nonBlocking = false, bool copy = false) =>
        Wrap(N.mlc_tensor_to(Handle, (int)dtype, (int)device.Type, device.Index, nonBlocking ? 1 : 0, copy ? 1 : 0), this);

    public Tensor Clone() => Wrap(N.mlc_tensor_clone(Handle), this);

    public Tensor Contiguous() => Wrap(N.mlc_tensor_contiguous(Handle), this);

    /// <summary>Makes this handle point at <paramref name="source"/>'s data (PyTorch's <c>t.data = source</c>).</summary>
    public void SetData(Tensor source) => Check(N.mlc_tensor_set_data(Handle, source.Handle), this, source);

    // ---- autograd ----

    public bool RequiresGrad
    {
        get => N.mlc_requires_grad(Handle) == 1;
        set => Check(N.mlc_set_requires_grad(Handle, value ? 1 : 0), this);
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for chaining.</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>The accumulated gradient as a new handle, or null when there is none.</summary>
    public Tensor? Grad
    {
        get
        {
            var h = N.mlc_grad(Handle);
            GC.KeepAlive(this);
            if (h != IntPtr.Zero) return new Tensor(h);
            if (N.mlc_last_error() != IntPtr.Zero) throw TorchException.FromNative();
            return null;
        }
        set => Check(N.mlc_set_grad(Handle, HandleOrZero(value)), this, value);
    }

    public bool IsLeaf => N.mlc_is_leaf(Handle) == 1;

    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Check(N.mlc_backward(Handle, HandleOrZero(gradient), retainGraph ? 1 : 0), this, gradient);

    public Tensor Detach() => Wrap(N.mlc_detach(Handle), this);

    /// <summary>Drops the gradient (set-to-none semantics, as PyTorch's default).</summary>
    public void ZeroGrad()
    {
        var h = Handle;
        Check(N.mlc_zero_grad(&h, 1), this);
    }

    // ---- in-place initialisation ----

    public Tensor Normal_(double mean = 0, double std = 1, Generator? generator = null)
    {
        Check(N.mlc_tensor_normal_(Handle, mean, std, Generator.HandleOf(generator)), this);
        GC.KeepAlive(generator);
        return this;
    }

    public Tensor Uniform_(double low = 0, double high = 1, Generator? generator = null)
    {
        Check(N.mlc_tensor_uniform_(Handle, low, high, Generator.HandleOf(generator)), this);
        GC.KeepAlive(generator);
        return this;
    }

    /// <summary>Normal(mean, std) truncated to [low, high], sampled exactly (not by rejection).</summary>
    public Tensor TruncNormal_(double mean = 0, double std = 1, double low = -2, double high = 2, Generator? generator = null)
    {
        Check(N.mlc_tensor_trunc_normal_(Handle, mean, std, low, high, Generator.HandleOf(generator)), this);
        GC.KeepAlive(generator);
        return this;
    }
}
