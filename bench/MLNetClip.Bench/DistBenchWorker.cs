using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;

namespace MLNetClip.Bench;

/// <summary>
/// One process of `bench dist`: the loop's own step (<see cref="BenchTrainer"/>) on a fixed
/// synthetic batch, in the process group of RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT (or alone).
/// After the warm-up steps and a barrier it times the steps and prints, on rank 0, one JSON line:
/// wall and process-CPU seconds per step, the seconds per step spent waiting in collectives (with
/// overlap, only the gradient all-reduce's part that backward did not hide), and how many of the
/// gradient buckets were launched from inside backward.
/// </summary>
internal static class DistBenchWorker
{
    public static int Run(string[] args)
    {
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        TorchRuntime.Threads = Int("--threads", "1");
        var env = DistributedEnvironment.FromEnvironment();
        using var group = env.IsDistributed
            ? ProcessGroup.Create(env.MasterAddress, env.MasterPort, env.Rank, env.WorldSize, TimeSpan.FromSeconds(300), glooBind: env.GlooBind())
            : null;
        using var trainer = new BenchTrainer(BenchUtil.Arg(args, "--method", "clip"), Int("--batch", "32"), 25, Int("--seed", "0") + env.Rank,
            1000, group, overlap: Int("--overlap", "1") == 1);
        for (var i = 0; i < Int("--warmup", "2"); i++) trainer.Step().Dispose();
        group?.Barrier();
        var steps = Int("--steps", "4");
        var communication = trainer.Sync?.CommunicationTime ?? TimeSpan.Zero;
        var cpu = BenchUtil.ProcessCpuSeconds();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) trainer.Step().Dispose();
        var elapsed = wall.Elapsed.TotalSeconds;
        var reply = new Dictionary<string, double>
        {
            ["wall"] = elapsed / steps,
            ["cpu"] = (BenchUtil.ProcessCpuSeconds() - cpu) / steps,
            ["communication"] = ((trainer.Sync?.CommunicationTime ?? TimeSpan.Zero) - communication).TotalSeconds / steps,
            ["buckets"] = trainer.Sync?.Buckets ?? 0,
            ["overlapped"] = trainer.Sync?.OverlappedBuckets ?? 0,
        };
        group?.Barrier();
        if (env.IsMain) Console.WriteLine(JsonSerializer.Serialize(reply));
        return 0;
    }
}
