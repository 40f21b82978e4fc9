using System.CommandLine;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Cli.Tests;

/// <summary>
/// Each class of failure, raised by a real command, reaches the user as one line on stderr with
/// its own exit code and no stack trace; --verbose adds the stack. Failures no shipped command
/// can raise on demand (a state dict that does not fit, Ctrl+C, a bug) come from small commands
/// added to the real tree, so they still pass through the real parse → invoke → handler path.
/// </summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnetclip-cli-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>stderr is exactly one "mlnetclip: error: …" line; returns it.</summary>
    internal static string OneErrorLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.StartsWith("mlnetclip: error: ", lines[0]);
        return lines[0];
    }

    [Theory]
    [InlineData("'gpu' is not a device", "mlnetclip selfcheck --help", "selfcheck", "--device", "gpu")]
    [InlineData("--context-length must be at least 2", "mlnetclip tokenize --help", "tokenize", "--context-length", "1", "hi")]
    [InlineData("--bogus", "mlnetclip selfcheck --help", "selfcheck", "--bogus")]
    [InlineData("check-hf-parity", "mlnetclip check-hf-parity --help", "check-hf-parity")]
    [InlineData("give exactly one of --manifest, --folder or --shards", "mlnetclip data info --help", "data", "info")]
    [InlineData("no-such-command", "mlnetclip --help", "no-such-command")]
    [InlineData("--separator 'xy' must be tab, comma or a single character", "mlnetclip data info --help", "data", "info", "--manifest", "m.tsv", "--separator", "xy")]
    public void BadArgumentsAreOneUsageLineNamingTheProblemAndTheHelp(string expected, string help, params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.Usage, exit);
        var line = OneErrorLine(error);
        Assert.Contains(expected, line);
        Assert.Contains($"see '{help}'", line);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("/nonexistent/model", "check-hf-parity", "/nonexistent/model")]
    [InlineData("/nonexistent/vocab.txt.gz", "tokenize", "--vocab", "/nonexistent/vocab.txt.gz", "hi")]
    [InlineData("/nonexistent/pairs.tsv", "data", "info", "--manifest", "/nonexistent/pairs.tsv")]
    [InlineData("/nonexistent/folder", "data", "info", "--folder", "/nonexistent/folder")]
    public void MissingFilesAndFoldersAreOneBadInputLineNamingThePath(string path, params string[] args)
    {
        var (exit, _, error) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(path, OneErrorLine(error));
    }

    [Fact]
    public void AMissingReferenceFileIsABadInput()
    {
        var missing = Path.Combine(_dir, "io.safetensors");
        var (exit, _, error) = CliRunner.Run("check-hf-parity", SharedPaths.Fixture("hf_clip_tiny_a"), "--io", missing);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(missing, OneErrorLine(error));
    }

    [Fact]
    public void InvalidJsonConfigIsABadInputNamingTheFile()
    {
        var model = ModelDir(config: "{ \"vision_config\": ", weights: null);
        var (exit, _, error) = CliRunner.Run("check-hf-parity", model);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(Path.Combine(model, "config.json"), OneErrorLine(error));
    }

    [Fact]
    public void ACorruptSafetensorsFileIsABadInputNamingTheFile()
    {
        var model = ModelDir(config: null, weights: "this is not a safetensors file"u8.ToArray());
        var (exit, _, error) = CliRunner.Run("check-hf-parity", model);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(Path.Combine(model, "model.safetensors"), OneErrorLine(error));
    }

    [Fact]
    public void WeightsThatDoNotFitTheModelAreABadInputListingTheTensors()
    {
        var model = ModelDir(config: null, weights: null);
        using (var stray = Tensor.Zeros([2, 2]))
            SafeTensors.Save(Path.Combine(model, "model.safetensors"), new Dictionary<string, Tensor> { ["stray.weight"] = stray });
        var (exit, _, error) = CliRunner.Run("check-hf-parity", model);
        Assert.Equal(ExitCodes.BadInput, exit);
        var line = OneErrorLine(error);
        Assert.Contains("does not fit the model", line);
        Assert.Contains("stray.weight", line);
    }

    [Fact]
    public void AManifestWithoutTheCaptionColumnIsABadInputNamingTheColumn()
    {
        var manifest = Path.Combine(_dir, "pairs.tsv");
        File.WriteAllText(manifest, "filepath\tcaption\na.png\ta cat\n");
        var (exit, _, error) = CliRunner.Run("data", "info", "--manifest", manifest);
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("title", OneErrorLine(error));
    }

    [Fact]
    public void ALibtorchErrorIsOneLineWithItsMessage()
    {
        // float64 pixels against float32 weights: nothing on our side checks dtypes, libtorch refuses the product.
        var io = Path.Combine(_dir, "io.safetensors");
        using (var pixels = Tensor.Zeros([1, 3, 32, 32], ScalarType.Float64))
        using (var ids = Tensor.Zeros([1, 16], ScalarType.Int64))
            SafeTensors.Save(io, new Dictionary<string, Tensor> { ["pixel_values"] = pixels, ["input_ids"] = ids });
        var (exit, _, error) = CliRunner.Run("check-hf-parity", SharedPaths.Fixture("hf_clip_tiny_a"), "--io", io);
        Assert.Equal(ExitCodes.Torch, exit);
        var line = OneErrorLine(error);
        Assert.StartsWith("mlnetclip: error: libtorch: ", line);
        Assert.Contains("expected scalar type", line);
    }

    [Fact]
    public void AnArgumentCheckInTheLibraryIsOneLineWithItsMessage()
    {
        var io = Path.Combine(_dir, "io.safetensors");
        using (var pixels = Tensor.Zeros([1, 4, 32, 32]))
        using (var ids = Tensor.Zeros([1, 16], ScalarType.Int64))
            SafeTensors.Save(io, new Dictionary<string, Tensor> { ["pixel_values"] = pixels, ["input_ids"] = ids });
        var (exit, _, error) = CliRunner.Run("check-hf-parity", SharedPaths.Fixture("hf_clip_tiny_a"), "--io", io);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("expected images [B, 3, H, W], got [1, 4, 32, 32]", OneErrorLine(error));
    }

    [Fact]
    public void AStateDictThatDoesNotFitIsABadInput()
    {
        var (exit, _, error) = RunWith(Command("load-state", () =>
        {
            using var layer = new Linear(2, 2);
            using var wrong = Tensor.Zeros([3, 3]);
            using var bias = Tensor.Zeros([2]);
            layer.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = wrong, ["bias"] = bias });
        }), "load-state");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("state dict does not match the model", OneErrorLine(error));
    }

    [Fact]
    public void CancellationExitsWith130()
    {
        var wait = new Command("wait");
        wait.SetAction(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        });
        var root = CliApp.Build();
        root.Subcommands.Add(wait);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var (exit, _, error) = CliRunner.Run(root, ["wait"], cancel.Token);
        Assert.Equal(ExitCodes.Cancelled, exit);
        Assert.Equal("mlnetclip: error: cancelled", OneErrorLine(error));
    }

    [Fact]
    public void AnUnexpectedExceptionIsOneLinePointingAtVerbose()
    {
        var (exit, _, error) = RunWith(Command("bug", () => _ = NullText()!.Length), "bug");
        Assert.Equal(ExitCodes.Internal, exit);
        var line = OneErrorLine(error);
        Assert.Contains("NullReferenceException", line);
        Assert.Contains("run with --verbose for details", line);
    }

    [Fact]
    public void VerboseAddsTheStackTraceAfterTheSameLine()
    {
        var (exit, _, error) = RunWith(Command("bug", () => _ = NullText()!.Length), "bug", "--verbose");
        Assert.Equal(ExitCodes.Internal, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("mlnetclip: error: unexpected NullReferenceException", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("at MLNetClip.Cli.Tests.CliErrorTests", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("check-hf-parity", "/nonexistent/model", "--verbose")]
    [InlineData("--verbose", "check-hf-parity", "/nonexistent/model")]
    public void VerboseShowsTheStackOfAnExpectedFailureToo(params string[] args)
    {
        var (exit, _, error) = CliRunner.Run(args);
        Assert.Equal(ExitCodes.BadInput, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("mlnetclip: error: ", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("System.IO.FileNotFoundException", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("at MLNetClip.Models.HuggingFaceClip.Load", StringComparison.Ordinal));
    }

    private static string? NullText() => null;

    private static Command Command(string name, Action body)
    {
        var command = new Command(name);
        command.SetAction(_ => body());
        return command;
    }

    private static (int Exit, string Out, string Err) RunWith(Command extra, params string[] args)
    {
        var root = CliApp.Build();
        root.Subcommands.Add(extra);
        return CliRunner.Run(root, args);
    }

    /// <summary>A model folder: the fixture's config.json (or <paramref name="config"/>) and, if given, these weight bytes.</summary>
    private string ModelDir(string? config, byte[]? weights)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        var configPath = Path.Combine(dir, "config.json");
        if (config is null) File.Copy(SharedPaths.Fixture("hf_clip_tiny_a", "config.json"), configPath);
        else File.WriteAllText(configPath, config);
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), weights ?? []);
        return dir;
    }
}
