using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// One configuration of `bench distill` in its own process (so its memory is its own), speaking
/// <see cref="TrainBenchWorker"/>'s line protocol: "ready" once built, then "run N" → seconds per
/// step and peak RSS. The configuration is a training method (the loop's own step, as
/// <see cref="BenchTrainer"/> runs it) or "teacher-forward": the frozen teacher's no-grad pass
/// over the same batch, the floor every teacher method pays.
/// </summary>
internal static class DistillBenchWorker
{
    public static int Run(string[] args)
    {
        var method = BenchUtil.Arg(args, "--method", "clip");
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        TorchRuntime.Threads = Int("--threads", "2");
        var baseline = BenchUtil.ProcessMemory().Rss;
        var distill = new DistillOptions
        {
            Teacher = BenchUtil.Arg(args, "--teacher", ""),
            Tokenizer = BenchUtil.Arg(args, "--tokenizer", ""),
            CodebookSize = Int("--codebook", "1024"),
        };
        var trainMethod = method == "teacher-forward" ? "clip" : method;
        using var trainer = new BenchTrainer(trainMethod, Int("--batch", "32"), 25, Int("--seed", "0"), 100, distill: distill);
        using var teacher = method == "teacher-forward" ? ClipTeacher.Load(distill.Teacher!) : null;
        Reply(new() { ["event"] = "ready", ["baseline_rss"] = baseline, ["parameters"] = trainer.Method.ParameterCount(trainableOnly: true) });
        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["quit"]) return 0;
            if (parts is not ["run", var count]) throw new InvalidDataException($"distill-worker: unknown request '{line}'");
            Reply(Steps(trainer, teacher, int.Parse(count, CultureInfo.InvariantCulture)));
        }
        return 0;
    }

    private static Dictionary<string, object> Steps(BenchTrainer trainer, ClipTeacher? teacher, int steps)
    {
        var cpu = BenchUtil.ProcessCpuSeconds();
        var faults = BenchUtil.MinorFaults();
        var wall = Stopwatch.StartNew();
        var loss = new Dictionary<string, double>();
        for (var i = 0; i < steps; i++)
        {
            if (teacher is null)
            {
                using var result = trainer.Step();
                if (i == steps - 1) loss = result.Terms.ToDictionary(t => t.Key, t => t.Value.Item());
            }
            else
            {
                var images = trainer.Batch.Images;
                var grid = new PatchGrid(images.Size(2) / trainer.Preset.Vision.PatchSize, images.Size(3) / trainer.Preset.Vision.PatchSize);
                using var pass = teacher.Run(images, grid, [teacher.Depth], lastAttention: true, projected: true);
            }
        }
        return new Dictionary<string, object>
        {
            ["wall"] = wall.Elapsed.TotalSeconds / steps,
            ["cpu"] = (BenchUtil.ProcessCpuSeconds() - cpu) / steps,
            ["peak_rss"] = BenchUtil.ProcessMemory().PeakRss,
            ["minor_faults"] = (double)(BenchUtil.MinorFaults() - faults) / steps,
            ["loss"] = loss,
        };
    }

    private static void Reply(Dictionary<string, object> message)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(message, TrainBenchWorker.Json));
        Console.Out.Flush();
    }
}
