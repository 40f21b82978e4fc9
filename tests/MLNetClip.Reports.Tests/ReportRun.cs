using MLNetClip.Cli;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Reports.Tests;

/// <summary>Runs mlnetclip in-process with Console swapped for buffers.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exit = CliApp.RunAsync(CliApp.Build(), args).GetAwaiter().GetResult();
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}

/// <summary>
/// A real run folder, made once for the report tests: `mlnetclip pretrain --method maskclip` for
/// 4 steps of ViT-Micro on 16 synthetic pictures (12 in split "train"), logging every 2 steps, then
/// `mlnetclip eval zeroshot --json RUN/eval-zeroshot.json` on its model.
/// </summary>
public sealed class ReportRun : IDisposable
{
    private readonly TempFolder _folder = new();

    public ReportRun()
    {
        Manifest = TrainingTestData.WriteManifest(_folder.Path, 16);
        var config = _folder.File("options.json");
        File.WriteAllText(config, """{ "threads": 2, "workers": 1, "logEvery": 2 }""");
        var (exit, output, error) = Cli.Run("pretrain", "--method", "maskclip", "--data", Manifest, "--where", "split=train",
            "--out", RunFolder, "--preset", "ViT-Micro", "--steps", "4", "--batch-size", "8", "--config", config);
        if (exit != 0) throw new InvalidOperationException($"pretrain failed ({exit}): {output}{error}");
        // The split column stands in for labels: two classes, "test" and "train", over all 16 rows.
        (exit, output, error) = Cli.Run("eval", "zeroshot", "--model", Path.Combine(RunFolder, "model"), "--data", Manifest,
            "--label-column", "split", "--templates", "simple", "--threads", "2", "--json", EvalJson);
        if (exit != 0) throw new InvalidOperationException($"eval zeroshot failed ({exit}): {output}{error}");
    }

    public string Manifest { get; }

    public string EvalJson => Path.Combine(RunFolder, "eval-zeroshot.json");

    public string RunFolder => _folder.File("run");

    public string Temp(string name) => _folder.File(name);

    public void Dispose() => _folder.Dispose();
}
