using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

/// <summary>
/// Switches gradient recording for this thread until disposed, then restores the previous
/// mode: <c>using (GradMode.NoGrad()) { … }</c>.
/// </summary>
public readonly struct GradMode : IDisposable
{
    // The previous mode plus one, so that a default-constructed value (0) restores nothing
    // instead of switching gradients off.
    private readonly int _restore;

    private GradMode(bool enabled) => _restore = N.mlc_set_grad_enabled(enabled ? 1 : 0) + 1;

    public static GradMode NoGrad() => new(false);

    public static GradMode Enable() => new(true);

    public static bool IsEnabled => N.mlc_is_grad_enabled() == 1;

    public void Dispose()
    {
        if (_restore != 0) N.mlc_set_grad_enabled(_restore - 1);
    }
}

/// <summary>Automatic mixed precision for one device type until disposed.</summary>
public sealed class Autocast : IDisposable
{
    private readonly DeviceType _device;
    private readonly int _previousEnabled;
    private readonly int _previousDtype;
    private bool _disposed;

    /// <summary>Runs eligible ops (matmuls, convolutions, linear) in <paramref name="dtype"/>, bf16 by default.</summary>
    public unsafe Autocast(DeviceType device, ScalarType dtype = ScalarType.BFloat16)
    {
        _device = device;
        int enabled, previous;
        TorchException.Check(N.mlc_autocast_enter((int)device, (int)dtype, &enabled, &previous));
        _previousEnabled = enabled;
        _previousDtype = previous;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        TorchException.Check(N.mlc_autocast_exit((int)_device, _previousEnabled, _previousDtype));
    }
}
