using System.CommandLine;
using System.Globalization;
using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip check-hf-parity DIR`: loads DIR as a Hugging Face CLIPModel and, when reference
/// results are at hand (DIR/io.safetensors, as in the shared fixtures, or --io FILE), recomputes
/// every output, the loss and every gradient stored there and prints the max absolute error of each.
/// Exits with <see cref="ExitCodes.CheckFailed"/> when some tensor is above the tolerance; unusable
/// inputs are reported by <see cref="CliErrors"/>.
/// </summary>
internal static class CheckHfParityCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "a Hugging Face CLIPModel directory (config.json + model.safetensors)" };
        var io = new Option<FileInfo?>("--io") { Description = "reference inputs and results (default: DIR/io.safetensors when present)" };
        var tolerance = new Option<double>("--tolerance") { Description = "largest acceptable max absolute error", DefaultValueFactory = _ => 1e-4 };
        var device = DeviceOption.Create();
        var command = new Command("check-hf-parity", "Check our CLIP against results Hugging Face transformers computed") { dir, io, tolerance, device };
        command.SetAction(parse => Run(parse.GetValue(dir)!, parse.GetValue(io), parse.GetValue(tolerance), parse.GetValue(device)));
        return command;
    }

    private static int Run(DirectoryInfo dir, FileInfo? io, double tolerance, Device device)
    {
        using var model = HuggingFaceClip.Load(dir.FullName);
        model.To(device);
        var o = model.Options;
        Console.WriteLine($"model        {dir.FullName}");
        Console.WriteLine(Invariant($"             {model.ParameterCount():N0} parameters; vision {o.Vision.ImageSize}px/{o.Vision.PatchSize} {o.Vision.Layers}x{o.Vision.Width}, text {o.Text.Layers}x{o.Text.Width} ctx {o.Text.ContextLength}, embed {o.EmbedDim}"));

        var ioPath = io?.FullName ?? Path.Combine(dir.FullName, "io.safetensors");
        if (!File.Exists(ioPath))
        {
            if (io is not null) throw new FileNotFoundException($"reference file not found: {ioPath}", ioPath);
            Console.WriteLine("references   none (no io.safetensors): the model loaded; nothing to compare");
            return ExitCodes.Ok;
        }

        using var reference = SafeTensors.Load(ioPath);
        Console.WriteLine($"references   {ioPath}");
        var results = HfParityCheck.Run(model, reference.Tensors, ioPath);
        var width = results.Max(r => r.Name.Length);
        var failed = 0;
        foreach (var r in results)
        {
            var ok = r.MaxAbsError <= tolerance;
            if (!ok) failed++;
            var rel = r.RelativeError is { } e ? Invariant($"  rel {e:0.00E+0}") : "";
            var shape = $"[{string.Join(",", r.Shape)}]";
            Console.WriteLine(Invariant($"{(ok ? "ok  " : "FAIL")} {r.Name.PadRight(width)}  {shape,-12}  max|err| {r.MaxAbsError:0.00E+0}{rel}"));
        }
        Console.WriteLine(failed == 0
            ? Invariant($"parity       OK: {results.Count} tensors within {tolerance:0E+0}")
            : Invariant($"parity       FAILED: {failed} of {results.Count} tensors above {tolerance:0E+0}"));
        return failed == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
