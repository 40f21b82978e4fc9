using MLNetClip.Torch;

namespace MLNetClip.Transforms;

/// <summary>Option validation shared by the transforms' options classes: one message naming the option and its range.</summary>
internal static class OptionCheck
{
    public static void Require(bool ok, string option, string range, object? value = null)
    {
        if (!ok) throw new ArgumentOutOfRangeException(option, value, $"option '{option}' must be {range}");
    }

    /// <summary>Null, or a device name libtorch can use here.</summary>
    public static void Device(string? device, string option)
    {
        if (device is null) return;
        Torch.Device parsed;
        try { parsed = Torch.Device.Parse(device); }
        catch (FormatException) { throw new ArgumentOutOfRangeException(option, device, $"option '{option}' must be cpu, cuda or cuda:N"); }
        if (parsed.IsCuda && !Cuda.IsAvailable)
            throw new ArgumentOutOfRangeException(option, device, $"option '{option}' is {device} but libtorch sees no CUDA device; use cpu");
    }
}
