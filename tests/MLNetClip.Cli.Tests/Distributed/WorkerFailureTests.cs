using System.Diagnostics;
using System.Text.RegularExpressions;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;
using Xunit.Abstractions;

namespace MLNetClip.Cli.Tests.Distributed;

/// <summary>
/// A worker killed with SIGKILL mid-run: the other ends on its own with one line naming the
/// ranks (not the launcher's kill), the newest checkpoint stays loadable, and the run resumes
/// from it to the end, here with one process instead of two (the loader position re-derived).
/// </summary>
public partial class WorkerFailureTests(ITestOutputHelper log)
{
    [Fact]
    public void Killing_one_of_two_workers_stops_the_other_and_the_run_resumes_from_its_checkpoint()
    {
        using var dir = new TempFolder();
        var data = TrainingTestData.WriteManifest(dir.Path, 32);
        var config = dir.File("run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "checkpointEvery": 3, "keepCheckpoints": 2, "logEvery": 1, "dataParallel": { "timeoutSeconds": 60 } }""");
        var output = dir.File("run");
        string[] Pretrain(int batch) =>
            ["pretrain", "--method", "clip", "--data", data, "--out", output, "--preset", "ViT-Micro", "--steps", "120",
             "--batch-size", $"{batch}", "--config", config];
        string stdout = dir.File("stdout.txt"), stderr = dir.File("stderr.txt");
        using var run = StartLaunch(stdout, stderr, 2, Pretrain(4));
        var clock = Stopwatch.StartNew();
        while (LatestStep(output) < 3 && !run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
        Assert.False(run.HasExited, $"the run ended before a worker could be killed: {Read(stdout)}{Read(stderr)}");
        var victim = int.Parse(PidOfRank1().Match(Read(stderr)).Groups[1].Value);
        Process.GetProcessById(victim).Kill();
        var killedAt = clock.Elapsed;

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(100)), "the launcher did not end after a worker was killed");
        log.WriteLine($"rank 1 killed at {killedAt.TotalSeconds:F1} s; launcher (and rank 0) ended {(clock.Elapsed - killedAt).TotalSeconds:F1} s later");
        var errors = Read(stderr);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("launch: rank 1", errors);
        Assert.Matches("\\[rank 0\\] mlnetclip: error: rank 0 of 2 stops: rank 1 stopped or is unreachable\\. distributed .* failed", errors);
        Assert.DoesNotContain("did not stop within", errors);
        Assert.DoesNotContain("   at ", errors);

        // The newest checkpoint is whole: its tensors load and its step is below the run's end.
        var latest = LatestStep(output);
        Assert.InRange(latest, 3, 119);
        using (var weights = SafeTensors.Load(Path.Combine(output, "checkpoints", $"step-{latest:D8}", "method.safetensors")))
            Assert.NotEmpty(weights.Tensors);

        // One process now (same per-rank batch): the batch index is re-derived from the checkpoint's world size.
        var resumed = Launcher.Run(dir.Path, [.. Pretrain(4), "--resume"]);
        Assert.True(resumed.Exit == 0, $"exit {resumed.Exit}: {resumed.Out}\n{resumed.Err}");
        Assert.Contains($"resumed from", resumed.Out);
        Assert.Contains("done: 120 steps", resumed.Out);
    }

    [Fact]
    public void With_three_workers_the_survivors_name_the_one_that_was_killed()
    {
        using var dir = new TempFolder();
        var data = TrainingTestData.WriteManifest(dir.Path, 36);
        var config = dir.File("run.json");
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "checkpointEvery": 2, "logEvery": 1, "dataParallel": { "timeoutSeconds": 60 } }""");
        var output = dir.File("run");
        string stdout = dir.File("stdout.txt"), stderr = dir.File("stderr.txt");
        using var run = StartLaunch(stdout, stderr, 3,
            ["pretrain", "--method", "clip", "--data", data, "--out", output, "--preset", "ViT-Micro", "--steps", "200", "--batch-size", "4", "--config", config]);
        var clock = Stopwatch.StartNew();
        while (LatestStep(output) < 2 && !run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
        Assert.False(run.HasExited, $"the run ended before a worker could be killed: {Read(stdout)}{Read(stderr)}");
        // Rank 1, not the last: a survivor guessing "the highest rank" or "the other one" would be wrong.
        var victim = int.Parse(Regex.Match(Read(stderr), @"launch: rank 1 pid (\d+)").Groups[1].Value);
        Process.GetProcessById(victim).Kill();
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(100)), "the launcher did not end after a worker was killed");
        var errors = Read(stderr);
        log.WriteLine(errors);
        foreach (var survivor in new[] { 0, 2 })
            Assert.Matches($"\\[rank {survivor}\\] mlnetclip: error: rank {survivor} of 3 stops: rank 1 stopped or is unreachable \\(no answer to a roll call in the rendezvous store\\)\\. distributed .* failed", errors);
        Assert.DoesNotContain("   at ", errors);
    }

    /// <summary>`mlnetclip launch --nproc N -- ARGS` with its output going to two files, so the test can read them while it runs.</summary>
    private static Process StartLaunch(string stdout, string stderr, int processes, string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "out=$1 err=$2; shift 2; exec \"$@\" > \"$out\" 2> \"$err\"", "sh", stdout, stderr,
                     Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Launcher.Tool, "launch", "--nproc", $"{processes}", "--grace", "120", "--" }
                     .Concat(args))
            start.ArgumentList.Add(a);
        foreach (var v in new[] { "RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT" }) start.Environment.Remove(v);
        return Process.Start(start)!;
    }

    private static long LatestStep(string output) =>
        Directory.Exists(Path.Combine(output, "checkpoints"))
            ? Directory.GetDirectories(Path.Combine(output, "checkpoints"), "step-*")
                .Select(d => long.TryParse(Path.GetFileName(d)[5..], out var s) ? s : -1).DefaultIfEmpty(-1).Max()
            : -1;

    private static string Read(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    [GeneratedRegex(@"launch: rank 1 pid (\d+)")]
    private static partial Regex PidOfRank1();
}
