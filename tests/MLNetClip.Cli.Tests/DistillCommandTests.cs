using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Cli.Tests;

/// <summary>`mlnetclip pretrain` with the frozen-teacher methods: our own CLIP run as the teacher, the vqkd → beitv2 hand-over, and the one-line failures.</summary>
public class DistillCommandTests
{
    private static string[] Micro(string method, string manifest, string output, params string[] more) =>
        ["pretrain", "--method", method, "--data", manifest, "--out", output, "--preset", "ViT-Micro", "--batch-size", "8", "--steps", "2", .. more];

    [Fact]
    public void A_clip_run_teaches_each_method_and_a_vqkd_run_tokenizes_for_beitv2()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 16);
        var config = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "checkpointEvery": 0 }""");
        var teacher = dir.File("teacher");
        Ok(CliRunner.Run(Micro("clip", manifest, teacher, "--config", config)));

        foreach (var method in new[] { "maskdistill", "milan", "maskalign", "vqkd" })
        {
            var (exit, output, error) = CliRunner.Run(Micro(method, manifest, dir.File(method), "--config", config, "--teacher", teacher));
            Assert.True(exit == 0, $"{method}: {output}{error}");
            Assert.True(File.Exists(dir.File(method, "model", "model.safetensors")), method);
        }
        Assert.True(File.Exists(dir.File("vqkd", "model", VqkdTokenizer.File)));
        Ok(CliRunner.Run(Micro("beitv2", manifest, dir.File("beitv2"), "--config", config, "--tokenizer", dir.File("vqkd"))));
    }

    [Fact]
    public void A_missing_teacher_option_or_folder_is_one_line()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 16);
        var (exit, _, error) = CliRunner.Run(Micro("milan", manifest, dir.File("run")));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--teacher DIR", CliErrorTests.OneErrorLine(error));

        (exit, _, error) = CliRunner.Run(Micro("maskalign", manifest, dir.File("run2"), "--teacher", dir.File("nope")));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("teacher folder", CliErrorTests.OneErrorLine(error));
        Assert.False(Directory.Exists(dir.File("run2")), "a run folder was started before the teacher was checked");

        (exit, _, error) = CliRunner.Run(Micro("beitv2", manifest, dir.File("run3"), "--tokenizer", dir.Path));
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains(VqkdTokenizer.File, CliErrorTests.OneErrorLine(error));
    }

    private static void Ok((int Exit, string Out, string Err) run) => Assert.True(run.Exit == 0, run.Out + run.Err);
}
