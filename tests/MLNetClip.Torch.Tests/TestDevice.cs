using MLNetClip.Torch;

namespace MLNetClip.Torch.Tests;

/// <summary>
/// The device that device-independent tests run on: cpu unless MLNETCLIP_TEST_DEVICE says
/// otherwise (scripts/device/run.sh sets it to cuda on the GPU machine).
/// </summary>
internal static class TestDevice
{
    public static Device Current { get; } = Device.Parse(Environment.GetEnvironmentVariable("MLNETCLIP_TEST_DEVICE") ?? "cpu");
}
