using System.Text.Json;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Cli.Tests;

/// <summary>`mlnetclip pretrain` in-process: bad input ends with one line naming the problem and a hint.</summary>
public class PretrainCommandTests
{
    internal static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private static string[] Micro(string manifest, string output, params string[] more) =>
        ["pretrain", "--method", "clip", "--data", manifest, "--out", output, "--preset", "ViT-Micro",
            .. more.Contains("--batch-size") ? more : ["--batch-size", "8", .. more]];

    private static void AssertOneLine(string error, params string[] parts)
    {
        var line = CliErrorTests.OneErrorLine(error);
        foreach (var p in parts) Assert.Contains(p, line);
    }

    [Fact]
    public void A_short_run_on_filtered_rows_writes_the_run_folder_and_plain_progress_lines()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 32);
        var config = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "logEvery": 2 }""");

        var (exit, output, error) = Run(Micro(manifest, dir.File("run"), "--steps", "4", "--where", "split=train", "--config", config, "--seed", "9"));

        Assert.True(exit == 0, output + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("pretrain clip on cpu with 1 libtorch thread:", lines[0]);
        Assert.Equal(2, lines.Count(l => l.StartsWith("step ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("step 4/4  epoch 1  loss ", StringComparison.Ordinal));
        Assert.StartsWith("done: 4 steps", lines[^1]);
        using var recorded = JsonDocument.Parse(File.ReadAllText(dir.File("run", "config.json")));
        var data = recorded.RootElement.GetProperty("data");
        Assert.EndsWith("where split=train", data.GetProperty("source").GetString());
        Assert.Equal(24, data.GetProperty("samples").GetInt64());  // rows with i % 4 == 3 are test rows
        Assert.Equal(9, recorded.RootElement.GetProperty("options").GetProperty("seed").GetInt32());
        Assert.Equal(1, recorded.RootElement.GetProperty("options").GetProperty("workers").GetInt32());
        Assert.True(File.Exists(dir.File("run", "model", "model.safetensors")));
    }

    [Theory]
    [InlineData("aclip")]
    [InlineData("aclip-efficient")]
    [InlineData("flip")]
    public void The_issue_10_methods_train_through_the_loader_and_log_their_terms(string method)
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 16);
        var config = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "logEvery": 1 }""");
        string[] args = ["pretrain", "--method", method, "--data", manifest, "--out", dir.File("run"), "--preset", "ViT-Micro",
            "--batch-size", "8", "--steps", "2", "--config", config, "--unmasked-tuning-steps", "1"];

        var (exit, output, error) = Run(args);

        Assert.True(exit == 0, output + error);
        var steps = output.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, steps.Count);
        if (method == "flip")
        {
            Assert.Contains("PatchDropout 0.5000", steps[0]);                               // masked, then the unmasked tuning step
            Assert.Contains("PatchDropout 0.0000", steps[1]);
        }
        else Assert.All(steps, l => Assert.Contains("SimClrLoss", l));
        using var recorded = JsonDocument.Parse(File.ReadAllText(dir.File("run", "config.json")));
        Assert.Equal(1, recorded.RootElement.GetProperty("options").GetProperty("flip").GetProperty("unmaskedTuningSteps").GetInt64());
    }

    [Fact]
    public void A_missing_data_file_names_it_and_says_what_is_expected()
    {
        using var dir = new TempFolder();
        var (exit, _, error) = Run(Micro(dir.File("nope.tsv"), dir.File("run"), "--steps", "1"));
        Assert.Equal(ExitCodes.BadInput, exit);
        AssertOneLine(error, dir.File("nope.tsv"), "does not exist", "mlnetclip data emoji");
    }

    [Fact]
    public void An_empty_manifest_or_filter_fails_with_a_hint()
    {
        using var dir = new TempFolder();
        var empty = Path.Combine(dir.Path, "empty.tsv");
        File.WriteAllText(empty, "filepath\ttitle\tsplit\n");
        var (exit, _, error) = Run(Micro(empty, dir.File("run"), "--steps", "1"));
        Assert.Equal(ExitCodes.BadInput, exit);
        AssertOneLine(error, "has no records", "--where");

        var manifest = TrainingTestData.WriteManifest(dir.Path, 8);
        (exit, _, error) = Run(Micro(manifest, dir.File("run"), "--steps", "1", "--where", "split=validation"));
        Assert.Equal(ExitCodes.BadInput, exit);
        AssertOneLine(error, "split=validation", "'test', 'train'");
    }

    [Fact]
    public void An_unknown_config_key_is_named_with_the_closest_one()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 8);
        var config = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(config, """{ "maskClip": { "emaStrat": 0.99 } }""");
        var (exit, _, error) = Run(Micro(manifest, dir.File("run"), "--steps", "1", "--config", config));
        Assert.Equal(ExitCodes.BadInput, exit);
        AssertOneLine(error, "unknown option 'maskClip.emaStrat'", "did you mean 'maskClip.emaStart'?", config);
    }

    [Fact]
    public void A_bad_flag_value_names_the_option_and_its_range()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 8);
        var (exit, _, error) = Run(Micro(manifest, dir.File("run"), "--steps", "1", "--batch-size", "0"));
        Assert.Equal(ExitCodes.Usage, exit);
        AssertOneLine(error, "option 'batchSize' must be 1 to 65536; got 0");
        Assert.False(Directory.Exists(dir.File("run")));

        (exit, _, error) = Run(Micro(manifest, dir.File("run"), "--steps", "1", "--epochs", "2"));
        Assert.Equal(ExitCodes.Usage, exit);
        AssertOneLine(error, "give at most one of --steps, --epochs or --minutes");
    }

    [Fact]
    public void An_output_folder_holding_a_run_is_refused_without_resume_and_with_other_settings()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 16);
        var config = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1 }""");
        Assert.Equal(0, Run(Micro(manifest, dir.File("run"), "--steps", "1", "--config", config)).Exit);

        var (exit, _, error) = Run(Micro(manifest, dir.File("run"), "--steps", "1", "--config", config));
        Assert.Equal(ExitCodes.BadInput, exit);
        AssertOneLine(error, "already holds a run", "--resume", "another --out");

        (exit, _, error) = Run(Micro(manifest, dir.File("run"), "--steps", "2", "--seed", "4", "--resume", "--config", config));
        Assert.Equal(ExitCodes.BadInput, exit);
        AssertOneLine(error, "options.seed: 0 → 4", "options.steps: 1 → 2");
    }
}
