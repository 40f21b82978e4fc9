using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// Our side of `bench embed`, in its own process: a CLIP of the chosen preset, one fixed batch of
/// preprocessed images, and the evaluation code's own image forward
/// (<see cref="ClipEmbedder.Features"/> with <see cref="ImageFeature.Embedding"/>, under no-grad).
/// It writes the image tower's weights, the batch and its own embeddings of the batch to one
/// safetensors file for python/embed_bench.py, then answers the same line protocol as
/// <see cref="TrainBenchWorker"/>:
///   start → {"event":"ready", "baseline_rss", "rss", "parameters" (image tower), "batch"}
///   "run N" → N forward passes → {"wall", "cpu" (seconds per pass), "peak_rss", "minor_faults", "loss": {}}
///   "quit" → exits.
/// </summary>
internal static class EmbedBenchWorker
{
    public static int Run(string[] args)
    {
        var preset = BenchUtil.Arg(args, "--preset", "ViT-Tiny");
        var init = BenchUtil.Arg(args, "--init", "init.safetensors");
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        TorchRuntime.Threads = Int("--threads", "2");
        HostMemory.RetainFreedBlocks();   // as the CLI's eval and embed commands run on CPU (EvalOptions.WithModel)
        var batch = Int("--batch", "64");
        var seed = (ulong)Int("--seed", "0");
        var baseline = BenchUtil.ProcessMemory().Rss;

        Generator.ManualSeed(seed);
        using var clip = new Clip(ClipPresets.All[preset](Torch.Nn.Activation.Gelu));
        var vision = clip.Options.Vision;
        using var generator = new Generator(seed + 1);
        using var images = Tensor.Randn([batch, vision.Channels, vision.ImageSize, vision.ImageSize], generator); // [B, 3, S, S]
        WriteInit(clip, images, init);
        Reply(new Dictionary<string, object>
        {
            ["event"] = "ready",
            ["baseline_rss"] = baseline,
            ["rss"] = BenchUtil.ProcessMemory().Rss,
            ["parameters"] = clip.Visual.ParameterCount(),
            ["batch"] = batch,
        });

        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["quit"]) return 0;
            if (parts is not ["run", var count]) throw new InvalidDataException($"embed-worker: unknown request '{line}'");
            Reply(RunPasses(clip, images, int.Parse(count, CultureInfo.InvariantCulture)));
        }
        return 0;
    }

    /// <summary>The embedding exactly as `eval` and `embed` compute it: no-grad, the projected image embedding [B, E].</summary>
    private static Tensor Embed(Clip clip, Tensor images)
    {
        using var noGrad = GradMode.NoGrad();
        return ClipEmbedder.Features(clip, images, ImageFeature.Embedding);
    }

    private static Dictionary<string, object> RunPasses(Clip clip, Tensor images, int passes)
    {
        var faults = BenchUtil.MinorFaults();
        var cpu = BenchUtil.ProcessCpuSeconds();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < passes; i++)
        {
            using var embedding = Embed(clip, images);
        }
        var wallSeconds = wall.Elapsed.TotalSeconds;
        var cpuSeconds = BenchUtil.ProcessCpuSeconds() - cpu;
        var faultCount = BenchUtil.MinorFaults() - faults;
        return new Dictionary<string, object>
        {
            ["wall"] = wallSeconds / passes,
            ["cpu"] = cpuSeconds / passes,
            ["peak_rss"] = BenchUtil.ProcessMemory().PeakRss,
            ["minor_faults"] = (double)faultCount / passes,
            ["loss"] = new Dictionary<string, double>(),
        };
    }

    /// <summary>
    /// Format: the image tower's tensors under their names without the "visual." prefix,
    /// "batch.images" [B, 3, S, S] f32, "expected.embedding" [B, E] (ours, for the agreement check),
    /// and in the metadata "config": {"vision": the tower options, "embed_dim"}.
    /// </summary>
    private static void WriteInit(Clip clip, Tensor images, string path)
    {
        var state = clip.Visual.StateDict();
        using var expected = Embed(clip, images);
        try
        {
            var tensors = new Dictionary<string, Tensor>(state) { ["batch.images"] = images, ["expected.embedding"] = expected };
            var config = new Dictionary<string, object> { ["vision"] = clip.Options.Vision, ["embed_dim"] = clip.Options.EmbedDim };
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["config"] = JsonSerializer.Serialize(config, TrainBenchWorker.Json) });
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private static void Reply(Dictionary<string, object> message)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(message, TrainBenchWorker.Json));
        Console.Out.Flush();
    }
}
