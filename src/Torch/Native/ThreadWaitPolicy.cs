using System.Runtime.InteropServices;

namespace MLNetClip.Torch.Native;

/// <summary>
/// Makes libtorch's OpenMP worker threads sleep between parallel regions instead of spinning,
/// unless the user has chosen a policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT).
///
/// <para><b>Why.</b> On CPU, libtorch runs element-wise kernels on its OpenMP team and matrix
/// products on OpenBLAS's own pthread pool. libgomp's default is to spin for a while after each
/// parallel region, so during every matmul the idle OpenMP worker busy-waits on a core that
/// OpenBLAS's thread needs. With 2 threads, `perf` on a training step under load put 55% of the
/// process's CPU samples in libgomp's spin loop (for our process and plain PyTorch alike), and
/// the passive policy cut the CPU time of a ViT-Tiny CLIP step from about 5.5 s to 1.5 s and its
/// wall time by about 3× (docs/performance.md).</para>
///
/// <para><b>How.</b> libgomp reads the variable once, when it is loaded, so it is set in the
/// native environment (setenv; .NET's managed copy is not what the C runtime sees) just before
/// the first load of our library, which pulls in libtorch and libgomp. If libgomp is already in
/// the process (another native library loaded it first), this has no effect.</para>
/// </summary>
internal static partial class ThreadWaitPolicy
{
    internal const string Variable = "OMP_WAIT_POLICY";
    internal const string Passive = "PASSIVE";

    /// <summary>Sets OMP_WAIT_POLICY=PASSIVE when neither it nor GOMP_SPINCOUNT is set.</summary>
    internal static void ApplyDefault()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        if (IsSet(Variable) || IsSet("GOMP_SPINCOUNT")) return;
        // overwrite = 0: a value set natively by the host wins as well.
        _ = SetEnv(Variable, Passive, 0);
    }

    /// <summary>The policy libgomp saw, as far as the native environment tells (null when unset).</summary>
    internal static string? Current() => Marshal.PtrToStringUTF8(GetEnv(Variable));

    private static bool IsSet(string name) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)) || GetEnv(name) != IntPtr.Zero;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
