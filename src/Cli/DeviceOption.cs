using System.CommandLine;
using MLNetClip.Torch;

namespace MLNetClip.Cli;

/// <summary>The --device option every compute command shares; a bad name is a parse error, reported before any work starts.</summary>
internal static class DeviceOption
{
    public static Option<Device> Create() => new("--device")
    {
        Description = "cpu, cuda or cuda:N",
        HelpName = "DEVICE",
        DefaultValueFactory = _ => Device.Cpu,
        CustomParser = result =>
        {
            try
            {
                return Device.Parse(result.Tokens.Single().Value);
            }
            catch (FormatException e)
            {
                result.AddError($"--device: {e.Message}");
                return Device.Cpu;
            }
        },
    };
}
