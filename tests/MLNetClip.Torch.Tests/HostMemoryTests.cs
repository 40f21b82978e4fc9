using System.Runtime.InteropServices;

namespace MLNetClip.Torch.Tests;

/// <summary>
/// With freed blocks retained, glibc serves a large tensor from its heap (reused after a free)
/// instead of a mapping of its own (unmapped on free, so every later allocation faults in fresh
/// zeroed pages). Checked through glibc's own count of mapped blocks, which load does not change.
/// </summary>
public partial class HostMemoryTests
{
    private const long Floats = 10L << 20;                                              // 40 MB: above glibc's 32 MB cap on its mmap threshold

    [Fact]
    public void ALargeTensorIsNotGivenAMappingOfItsOwn()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(HostMemory.RetainFreedBlocks());
        Assert.True(HostMemory.RetainsFreedBlocks);
        var before = MappedBytes();
        using var t = Tensor.Ones([Floats]);
        var during = MappedBytes();
        Assert.True(during - before < Floats * 4 / 2, $"mapped bytes rose by {during - before} for a {Floats * 4} byte tensor");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 GetMallInfo2();

    // hblkhd: bytes glibc holds in blocks it mapped one by one.
    private static long MappedBytes() => (long)GetMallInfo2().HBlkHd;
}
