using System.Diagnostics;
using System.Globalization;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Cli.Tests;

/// <summary>
/// Ctrl+C for real: SIGINT sent to a running `mlnetclip pretrain` process ends it with exit code
/// 130, after the current step and a checkpoint, with no stack trace.
/// </summary>
public class InterruptTests
{
    [Fact]
    public void Sigint_stops_a_training_run_with_a_checkpoint_and_exit_130()
    {
        using var dir = new TempFolder();
        var data = TrainingTestData.WriteManifest(dir.Path, 32);
        var config = dir.File("run.json");
        // No checkpoint is due before step 1000, so one on disk can only be the interrupt's.
        File.WriteAllText(config, """{ "threads": 1, "workers": 1, "checkpointEvery": 1000, "logEvery": 1 }""");
        var output = dir.File("run");
        string stdout = dir.File("stdout.txt"), stderr = dir.File("stderr.txt");
        // The tool writes to files, not pipes, so nothing here has to keep reading while the run goes on.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var a in new[] { "-c", "out=$1 err=$2; shift 2; exec \"$@\" > \"$out\" 2> \"$err\"", "sh", stdout, stderr,
                     Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "mlnetclip.dll"),
                     "pretrain", "--method", "clip", "--data", data, "--out", output, "--preset", "ViT-Micro", "--steps", "500",
                     "--batch-size", "8", "--config", config })
            start.ArgumentList.Add(a);

        using var run = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        while (!Stepping(stdout) && !run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
        Assert.False(run.HasExited, $"the run ended before it could be interrupted: {Read(stdout)}{Read(stderr)}");

        Interrupt(run);
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not stop after SIGINT");

        Assert.True(run.ExitCode == ExitCodes.Cancelled, $"exit {run.ExitCode}: {Read(stdout)}\n{Read(stderr)}");
        Assert.Contains("interrupted at step", Read(stdout));
        Assert.DoesNotContain("   at ", Read(stderr));
        Assert.Single(Directory.GetDirectories(Path.Combine(output, "checkpoints"), "step-*"));
    }

    private static bool Stepping(string stdout) => Read(stdout).Contains("\nstep 2/", StringComparison.Ordinal);

    private static string Read(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>SIGINT, as a terminal's Ctrl+C sends it, through kill(1).</summary>
    private static void Interrupt(Process process)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -INT {process.Id} failed; the run exited: {process.HasExited}");
    }
}
