using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Training;

/// <summary>Peak memory of the run: the CUDA allocator's peak on a GPU, the process's peak resident set on CPU.</summary>
internal static class MemoryUsage
{
    public static (long Bytes, string Kind) Peak(Device device)
    {
        if (device.IsCuda) return (Cuda.PeakMemoryAllocated(Math.Max(0, device.Index)), "cuda");
        return (PeakResidentBytes(), "rss");
    }

    // VmHWM in /proc/self/status is the peak resident set; elsewhere the current working set stands in.
    private static long PeakResidentBytes()
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal) &&
                    long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kb))
                    return kb * 1024;
        return Environment.WorkingSet;
    }
}
