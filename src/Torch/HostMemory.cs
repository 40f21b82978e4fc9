using System.Runtime.InteropServices;

namespace MLNetClip.Torch;

/// <summary>
/// How the C heap that holds libtorch's CPU tensors hands memory back to the kernel.
///
/// <para><b>Why.</b> libtorch's CPU allocator is plain malloc. glibc serves every block above its
/// mmap threshold (dynamic, at most 32 MB) with a fresh mmap and unmaps it on free, and trims
/// the heap's free top; so a training step that allocates and frees the same activations every
/// step gets fresh pages every step, and the kernel zeroes each 4 KB page on first touch. A
/// ViT-Tiny maskclip-efficient step took about 110,000 minor page faults (≈ 440 MB of zeroed
/// pages: its [64, 5, 49408] word logits alone are 63 MB per buffer); CLIP's about 45,000.
/// Keeping freed blocks in the heap for the next step removed nearly all of them
/// (docs/performance.md). PyTorch's CUDA side does the same with its caching allocator.</para>
///
/// <para><b>Cost.</b> The process keeps its peak heap: memory freed after the peak is reused
/// by later allocations, not returned to the kernel. That suits a training run, whose every
/// step reaches the same peak; a long-lived process that trains once and then idles keeps it.</para>
/// </summary>
public static partial class HostMemory
{
    private const int TrimThreshold = -1, MmapMax = -4;     // glibc's M_TRIM_THRESHOLD, M_MMAP_MAX
    private static int _retained;

    /// <summary>True once <see cref="RetainFreedBlocks"/> has taken effect in this process.</summary>
    public static bool RetainsFreedBlocks => Volatile.Read(ref _retained) == 1;

    /// <summary>
    /// From now on glibc serves large blocks from its heap instead of fresh mappings and stops
    /// trimming the heap, so freed tensor memory is reused without page faults. Returns false
    /// (and changes nothing) where the C library is not glibc, or when MLNETCLIP_MALLOC=system
    /// asks to leave malloc as it is.
    /// </summary>
    public static bool RetainFreedBlocks()
    {
        if (RetainsFreedBlocks) return true;
        if (!OperatingSystem.IsLinux()) return false;
        if (string.Equals(Environment.GetEnvironmentVariable("MLNETCLIP_MALLOC"), "system", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            // Order matters: with no new mappings allowed, the trim threshold alone decides what goes back.
            if (MallOpt(MmapMax, 0) != 1) return false;
            if (MallOpt(TrimThreshold, int.MaxValue) != 1) return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;                                                               // not glibc (mallopt is a glibc extension)
        }
        Volatile.Write(ref _retained, 1);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int option, int value);
}
