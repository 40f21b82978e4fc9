using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// Our side of `bench train`, run as its own process so its memory is its own. It builds the
/// training loop's state and step (<see cref="BenchTrainer"/>), writes the initial weights, the
/// batch and the optimiser settings to one safetensors
/// file for the Python reference to load, then answers the same line protocol as
/// python/train_bench.py on stdin/stdout:
///   start → {"event":"ready", "baseline_rss", "rss", "parameters", "text_length"}
///   "run N" → N steps → {"wall", "cpu" (seconds per step), "peak_rss" (bytes), "minor_faults" (per step),
///             "loss": {term: value of the last step}}
///   "quit" → exits.
/// </summary>
internal static class TrainBenchWorker
{
    public static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public static int Run(string[] args)
    {
        var method = BenchUtil.Arg(args, "--method", "clip");
        var init = BenchUtil.Arg(args, "--init", "init.safetensors");
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        TorchRuntime.Threads = Int("--threads", "2");
        var baseline = BenchUtil.ProcessMemory().Rss;

        using var trainer = new BenchTrainer(method, Int("--batch", "64"), Int("--max-caption-tokens", "25"),
            Int("--seed", "0"), Int("--planned-steps", "100"));
        WriteInit(trainer, init);
        Reply(new Dictionary<string, object>
        {
            ["event"] = "ready",
            ["baseline_rss"] = baseline,
            ["rss"] = BenchUtil.ProcessMemory().Rss,
            ["parameters"] = trainer.Method.ParameterCount(),
            ["text_length"] = trainer.TextLength,
        });

        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["quit"]) return 0;
            if (parts is not ["run", var count]) throw new InvalidDataException($"train-worker: unknown request '{line}'");
            Reply(RunSteps(trainer, int.Parse(count, CultureInfo.InvariantCulture)));
        }
        return 0;
    }

    private static Dictionary<string, object> RunSteps(BenchTrainer trainer, int steps)
    {
        StepResult? last = null;
        var faults = BenchUtil.MinorFaults();
        var cpu = BenchUtil.ProcessCpuSeconds();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            last?.Dispose();
            last = trainer.Step();
        }
        var wallSeconds = wall.Elapsed.TotalSeconds;
        var cpuSeconds = BenchUtil.ProcessCpuSeconds() - cpu;
        var faultCount = BenchUtil.MinorFaults() - faults;
        // Read back once, after the clock stopped: a training run reads its metrics every N steps, not each step.
        var loss = last!.Terms.ToDictionary(t => t.Key, t => t.Value.Item());
        last.Dispose();
        return new Dictionary<string, object>
        {
            ["wall"] = wallSeconds / steps,
            ["cpu"] = cpuSeconds / steps,
            ["peak_rss"] = BenchUtil.ProcessMemory().PeakRss,
            ["minor_faults"] = (double)faultCount / steps,
            ["loss"] = loss,
        };
    }

    /// <summary>
    /// Format: every tensor of the method's state dict under its own name, the batch as
    /// "batch.images" [B, 3, S, S] f32 and "batch.token_ids" [B, 77] i64 (untrimmed, as the loader
    /// gives it; each step trims it), and in the metadata
    /// "config": the method, the model and MaskCLIP options, the mask generator's seed and the
    /// optimiser settings, including the parameter names AdamW does not decay (the reference
    /// derives its own and checks they agree).
    /// </summary>
    private static void WriteInit(BenchTrainer trainer, string path)
    {
        var state = trainer.Method.StateDict();
        try
        {
            var tensors = new Dictionary<string, Tensor>(state)
            {
                ["batch.images"] = trainer.Batch.Images,
                ["batch.token_ids"] = trainer.Batch.TokenIds,
            };
            var names = trainer.Method.NamedParameters().ToDictionary(p => p.Value, p => p.Key, ReferenceEqualityComparer.Instance);
            var o = trainer.Options;
            var config = new Dictionary<string, object?>
            {
                ["method"] = trainer.Method.Name,
                ["model"] = trainer.Preset,
                ["mask_clip"] = o.MaskClip,
                ["mask_seed"] = trainer.MaskSeed,
                ["learning_rate"] = o.LearningRate,
                ["min_learning_rate"] = o.MinLearningRate,
                ["warmup_steps"] = trainer.Schedule.WarmupSteps,
                ["planned_steps"] = trainer.Schedule.TotalSteps,
                ["weight_decay"] = o.WeightDecay,
                ["betas"] = new[] { o.Beta1, o.Beta2 },
                ["eps"] = o.Eps,
                ["grad_clip_norm"] = o.GradClipNorm,
                ["no_decay"] = trainer.Groups.Where(g => g.WeightDecay == 0).SelectMany(g => g.Parameters).Select(p => names[p]).ToArray(),
            };
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, Json) });
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private static void Reply(Dictionary<string, object> message)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(message, Json));
        Console.Out.Flush();
    }
}
