using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MLNetClip.Torch.Native;
using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

/// <summary>Process-wide facts and settings of the libtorch underneath.</summary>
public static class TorchRuntime
{
    // The resolver must be in place before the first P/Invoke of this assembly, whatever
    // type the caller touches first; a module initializer is the one hook that guarantees it.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => NativeLibraryLoader.EnsureInstalled();

    public static string Version => Marshal.PtrToStringUTF8(N.mlc_torch_version())!;

    /// <summary>libtorch's build configuration, including the BLAS it was built with.</summary>
    public static string BuildConfig => Marshal.PtrToStringUTF8(N.mlc_torch_config())!;

    /// <summary>Intra-op threads libtorch uses for CPU kernels.</summary>
    public static int Threads
    {
        get => N.mlc_get_num_threads();
        set => TorchException.Check(N.mlc_set_num_threads(value));
    }

    /// <summary>
    /// How libtorch's idle OpenMP threads wait: "PASSIVE" (sleep; our default, see
    /// <see cref="Native.ThreadWaitPolicy"/>), the user's OMP_WAIT_POLICY, or null when libgomp's
    /// spin-then-sleep default applies (the user set GOMP_SPINCOUNT instead).
    /// </summary>
    public static string? ThreadWaitPolicy
    {
        get
        {
            _ = N.mlc_get_num_threads();                                                // the policy is fixed once the library is loaded
            return Native.ThreadWaitPolicy.Current();
        }
    }

    /// <summary>The shared objects of the BLAS loaded into this process (OpenBLAS, MKL, or reference BLAS).</summary>
    public static IReadOnlyList<string> LoadedBlasLibraries()
    {
        if (!File.Exists("/proc/self/maps")) return [];
        return File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Where(p => p.Contains("blas", StringComparison.OrdinalIgnoreCase) || p.Contains("mkl", StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .ToList();
    }
}

/// <summary>CUDA devices as libtorch sees them.</summary>
public static class Cuda
{
    public static bool IsAvailable => N.mlc_cuda_is_available() == 1;

    public static int DeviceCount => N.mlc_cuda_device_count();

    /// <summary>True when the native library was built against a CUDA libtorch (memory statistics available).</summary>
    public static bool BuiltWithCuda => N.mlc_built_with_cuda() == 1;

    public static void Synchronize(int device = -1) => TorchException.Check(N.mlc_cuda_synchronize(device));

    /// <summary>Peak bytes held by tensors on the device since start or <see cref="ResetPeakMemory"/>; -1 without CUDA.</summary>
    public static long PeakMemoryAllocated(int device = 0) => N.mlc_cuda_peak_memory(device);

    public static void ResetPeakMemory(int device = 0) => TorchException.Check(N.mlc_cuda_reset_peak_memory(device));
}
