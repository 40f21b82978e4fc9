using MLNetClip.Torch;

namespace MLNetClip.Tests;

/// <summary>
/// The live-tensor count to compare against after a test's work. Tensors an earlier test dropped
/// without disposing are released by their finalizers at unpredictable moments; collecting first
/// settles them, so they cannot shift the count in the middle of the test being measured.
/// </summary>
internal static class LiveTensors
{
    public static long Baseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Tensor.LiveCount;
    }
}
