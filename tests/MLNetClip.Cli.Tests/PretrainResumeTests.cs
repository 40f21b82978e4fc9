using System.Diagnostics;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Cli.Tests;

/// <summary>
/// Exact resume across processes: `mlnetclip pretrain` killed with SIGKILL mid-run and resumed
/// ends with the same bits as a run never interrupted.
/// </summary>
public class PretrainResumeTests
{
    // The built tool sits beside the tests (a project reference copies it with its runtimeconfig).
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "mlnetclip.dll");

    private static Process Start(string data, string output, string config, bool resume = false, int steps = 14)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Tool, "pretrain", "--method", "clip", "--data", data, "--out", output, "--preset", "ViT-Micro",
                     "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture), "--batch-size", "8", "--seed", "5", "--config", config })
            start.ArgumentList.Add(a);
        if (resume) start.ArgumentList.Add("--resume");
        return Process.Start(start)!;
    }

    private static string Finish(Process p)
    {
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)), "the run did not end");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {output.Result}{error.Result}");
        return output.Result;
    }

    private static long LatestStep(string output) =>
        Directory.Exists(Path.Combine(output, "checkpoints"))
            ? Directory.GetDirectories(Path.Combine(output, "checkpoints"), "step-*")
                .Select(d => long.TryParse(Path.GetFileName(d)[5..], out var s) ? s : -1).DefaultIfEmpty(-1).Max()
            : -1;

    [Fact]
    public void A_run_killed_with_sigkill_and_resumed_ends_bit_identical_to_an_uninterrupted_one()
    {
        Assert.True(File.Exists(Tool), $"{Tool} is missing");
        using var dir = new TempFolder();
        var data = TrainingTestData.WriteManifest(dir.Path, 44);  // 5 batches an epoch: the run crosses two epoch ends
        var config = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "checkpointEvery": 2, "keepCheckpoints": 2, "logEvery": 1, "warmupSteps": 3 }""");
        var whole = dir.File("whole");
        var killed = dir.File("killed");

        using var reference = Start(data, whole, config);
        using (var victim = Start(data, killed, config))
        {
            var clock = Stopwatch.StartNew();
            while (LatestStep(killed) < 6 && !victim.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            Assert.False(victim.HasExited, "the run ended before it could be killed");
            victim.Kill();  // SIGKILL: no handler runs, no checkpoint is written on the way out
            victim.WaitForExit();
        }
        var cut = LatestStep(killed);
        Assert.InRange(cut, 6, 13);
        Assert.False(Directory.Exists(Path.Combine(killed, "model")));

        using (var resumed = Start(data, killed, config, resume: true))
            Assert.Contains($"resumed from {Path.Combine(killed, "checkpoints")}", Finish(resumed));
        Finish(reference);

        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model", "model.safetensors")), File.ReadAllBytes(Path.Combine(killed, "model", "model.safetensors")));
        var last = CheckpointName(14);
        foreach (var file in new[] { "method.safetensors", "optimizer.safetensors" })
            AssertSameTensors(Path.Combine(whole, "checkpoints", last, file), Path.Combine(killed, "checkpoints", last, file));
        // Every step appears once in the log, the ones after the cut written by the resumed process.
        var steps = File.ReadAllLines(Path.Combine(killed, "metrics.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i), steps);
    }

    [Fact]
    public void Ctrl_c_finishes_the_step_writes_a_checkpoint_and_exits_130_and_resume_completes_the_run()
    {
        using var dir = new TempFolder();
        var data = TrainingTestData.WriteManifest(dir.Path, 24);
        var config = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "checkpointEvery": 0, "logEvery": 1 }""");
        var output = dir.File("run");
        var metrics = Path.Combine(output, "metrics.jsonl");

        using (var run = Start(data, output, config, steps: 12))
        {
            var stdout = run.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(metrics) && new FileInfo(metrics).Length > 0) && !run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
                Thread.Sleep(20);
            Assert.False(run.HasExited, "the run ended before the interrupt");
            Assert.Equal(-1, LatestStep(output));  // no periodic checkpoints: any checkpoint comes from the interrupt
            using (var signal = Process.Start("kill", ["-INT", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                signal.WaitForExit();
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not stop after SIGINT");
            Assert.Equal(130, run.ExitCode);
            var cut = LatestStep(output);
            Assert.InRange(cut, 1, 11);
            Assert.Contains($"interrupted at step {cut} of 12: checkpoint {Path.Combine(output, "checkpoints", CheckpointName(cut))}", stdout.Result);
            Assert.False(Directory.Exists(Path.Combine(output, "model")));
        }

        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "checkpointEvery": 0, "logEvery": 4 }""");  // bookkeeping may change
        using (var resumed = Start(data, output, config, resume: true, steps: 12))
            Assert.Contains("done: 12 steps", Finish(resumed));
        Assert.True(File.Exists(Path.Combine(output, "model", "model.safetensors")));
    }

    private static string CheckpointName(long step) => $"step-{step:D8}";

    private static void AssertSameTensors(string expectedPath, string actualPath)
    {
        using var expected = SafeTensors.Load(expectedPath);
        using var actual = SafeTensors.Load(actualPath);
        Assert.Equal(expected.Tensors.Keys.Order(), actual.Tensors.Keys.Order());
        var differing = expected.Tensors.Keys.Where(k => !expected[k].ToBytes().AsSpan().SequenceEqual(actual[k].ToBytes())).ToList();
        Assert.True(differing.Count == 0, $"{differing.Count} tensors of {Path.GetFileName(actualPath)} differ, e.g. {string.Join(", ", differing.Take(5))}");
    }
}
