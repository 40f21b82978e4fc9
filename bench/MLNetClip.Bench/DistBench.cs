using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;

namespace MLNetClip.Bench;

/// <summary>
/// `bench dist`: data-parallel scaling from 1 to 2 processes on CPU (gloo on loopback), with the
/// loop's own step and gradient sync. Three set-ups, each in fresh processes, taken in turns
/// (1×1, 2×1, 1×2, 1×1, …) so the machine's load falls on all alike, medians reported:
/// <list type="bullet">
/// <item>1×1: one process, one libtorch thread, batch B;</item>
/// <item>2×1: two processes, one thread each, batch B each (global 2B), gradients all-reduced from inside backward;</item>
/// <item>2×1 after: the same with every bucket launched after backward (overlap off), to show what overlap buys;</item>
/// <item>1×2: one process, two threads, batch 2B: the same cores used by one process instead.</item>
/// </list>
/// Scaling efficiency is samples/s of 2×1 over twice 1×1; the communication share is the time
/// rank 0 spends waiting in collectives (gradient all-reduce, term average, the loss's feature gathers)
/// over its step time.
/// </summary>
internal static class DistBench
{
    public static int Run(string[] args)
    {
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        var method = BenchUtil.Arg(args, "--method", "clip");
        int batch = Int("--batch", "32"), rounds = Int("--rounds", "3"), steps = Int("--steps", "4");
        var loadBefore = BenchUtil.LoadAverage();
        var setups = new (string Name, int Processes, int Threads, int Batch, bool Overlap)[]
        {
            ("1×1", 1, 1, batch, true), ("2×1", 2, 1, batch, true), ("2×1 after", 2, 1, batch, false), ("1×2", 1, 2, 2 * batch, true),
        };
        var results = setups.ToDictionary(s => s.Name, _ => new List<Dictionary<string, double>>());
        for (var r = 0; r < rounds; r++)
            foreach (var s in setups)
            {
                var reply = Launch(s.Processes, ["--method", method, "--threads", $"{s.Threads}", "--batch", $"{s.Batch}", "--steps", $"{steps}",
                    "--overlap", s.Overlap ? "1" : "0"]);
                results[s.Name].Add(reply);
                Console.Error.WriteLine(Invariant($"bench dist: round {r + 1}/{rounds} {s.Name}: {reply["wall"]:F3} s/step, communication {reply["communication"]:F3} s"));
            }

        Console.WriteLine(Invariant($"bench dist: CPU, {method} on ViT-Tiny at 64 px, {Environment.ProcessorCount} cores, gloo on loopback; ") +
                          $"{rounds} rounds of {steps} timed steps per set-up; load average {loadBefore} before, {BenchUtil.LoadAverage()} after");
        Console.WriteLine($"{"set-up",-10} {"processes",9} {"threads",7} {"global batch",12} {"s/step",8} {"samples/s",9} {"CPU s/step",10} {"comm s/step",11} {"comm share",10}");
        var throughput = new Dictionary<string, double>();
        var cpuPerStep = new Dictionary<string, double>();
        foreach (var s in setups)
        {
            var wall = BenchUtil.Median(results[s.Name].Select(x => x["wall"]));
            var cpu = BenchUtil.Median(results[s.Name].Select(x => x["cpu"]));
            var comm = BenchUtil.Median(results[s.Name].Select(x => x["communication"]));
            var global = s.Processes * s.Batch;
            throughput[s.Name] = global / wall;
            cpuPerStep[s.Name] = cpu;
            Console.WriteLine(Invariant($"{s.Name,-10} {s.Processes,9} {s.Threads,7} {global,12} {wall,8:F3} {global / wall,9:F1} {cpu,10:F3} {comm,11:F3} {comm / wall,10:P0}") +
                (s.Processes > 1 ? Invariant($"  ({results[s.Name][0]["overlapped"]:F0} of {results[s.Name][0]["buckets"]:F0} buckets launched in backward)") : ""));
        }
        Console.WriteLine(Invariant($"overlap with backward: 2×1 takes {BenchUtil.Median(results["2×1"].Select(x => x["wall"])) / BenchUtil.Median(results["2×1 after"].Select(x => x["wall"])):F2}× the step time of 2×1 after; ") +
                          Invariant($"waiting in collectives {BenchUtil.Median(results["2×1"].Select(x => x["communication"])):F3} s against {BenchUtil.Median(results["2×1 after"].Select(x => x["communication"])):F3} s a step"));
        Console.WriteLine(Invariant($"scaling efficiency 1→2 processes (samples/s of 2×1 over 2 × 1×1): {throughput["2×1"] / (2 * throughput["1×1"]):P0}; ") +
                          Invariant($"2×1 against one process on both cores (1×2): {throughput["2×1"] / throughput["1×2"]:F2}×"));
        // Process CPU time does not depend on how busy the machine is: the same ratio by CPU seconds.
        Console.WriteLine(Invariant($"by CPU time (load-independent): rank 0 of 2×1 spends {cpuPerStep["2×1"] / cpuPerStep["1×1"]:F2}× the CPU seconds per step of 1×1 ") +
                          Invariant($"for the same per-rank batch, an efficiency of {cpuPerStep["1×1"] / cpuPerStep["2×1"]:P0}"));
        return 0;
    }

    /// <summary>Starts <paramref name="processes"/> workers with the torchrun variables set and returns rank 0's reply.</summary>
    private static Dictionary<string, double> Launch(int processes, string[] args)
    {
        var port = FreePort();
        var workers = new List<Process>();
        try
        {
            for (var rank = 0; rank < processes; rank++)
            {
                var self = Environment.ProcessPath ?? throw new InvalidOperationException("the running executable is unknown");
                var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
                if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
                if (Assembly.GetEntryAssembly()?.GetName().Name != "MLNetClip.Bench") info.ArgumentList.Add("bench");
                info.ArgumentList.Add("dist-worker");
                foreach (var a in args) info.ArgumentList.Add(a);
                info.Environment["RANK"] = $"{rank}";
                info.Environment["LOCAL_RANK"] = $"{rank}";
                info.Environment["WORLD_SIZE"] = $"{processes}";
                info.Environment["MASTER_ADDR"] = "127.0.0.1";
                info.Environment["MASTER_PORT"] = $"{port}";
                workers.Add(Process.Start(info)!);
            }
            var output = workers[0].StandardOutput.ReadToEnd();
            foreach (var w in workers)
            {
                w.WaitForExit();
                if (w.ExitCode != 0) throw new InvalidOperationException($"bench dist-worker exited with {w.ExitCode}");
            }
            var line = output.Split('\n').Last(l => l.StartsWith('{'));
            return JsonSerializer.Deserialize<Dictionary<string, double>>(line)!;
        }
        finally
        {
            foreach (var w in workers)
            {
                if (!w.HasExited) w.Kill();
                w.Dispose();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
