using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

/// <summary>A seeded random-number generator, so sampling is reproducible independently of the global one.</summary>
public sealed class Generator : IDisposable
{
    private IntPtr _handle;

    public Generator(ulong seed, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        _handle = N.mlc_generator_new(seed, (int)d.Type, d.Index);
        if (_handle == IntPtr.Zero) throw TorchException.FromNative();
        Device = d;
    }

    ~Generator() => Release();

    public Device Device { get; }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

    internal static IntPtr HandleOf(Generator? g) => g?.Handle ?? IntPtr.Zero;

    /// <summary>The generator's full state as a byte tensor, for exact resume.</summary>
    public Tensor GetState()
    {
        var t = Tensor.Wrap(N.mlc_generator_get_state(Handle));
        GC.KeepAlive(this);
        return t;
    }

    public void SetState(Tensor state)
    {
        Tensor.Check(N.mlc_generator_set_state(Handle, state.Handle), state);
        GC.KeepAlive(this);
    }

    /// <summary>Seeds libtorch's global generators.</summary>
    public static void ManualSeed(ulong seed) => TorchException.Check(N.mlc_manual_seed(seed));

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) N.mlc_generator_free(h);
    }
}
