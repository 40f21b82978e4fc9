using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>cpu unless MLNETCLIP_TEST_DEVICE says otherwise (scripts/device/run.sh sets cuda).</summary>
internal static class TestDevice
{
    public static Device Current { get; } = Device.Parse(Environment.GetEnvironmentVariable("MLNETCLIP_TEST_DEVICE") ?? "cpu");
}
