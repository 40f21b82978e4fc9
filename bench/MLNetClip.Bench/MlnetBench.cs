using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.FashionMnist;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Models;
using MLNetClip.Reports.Png;
using MLNetClip.Torch;
using MLNetClip.Transforms;

namespace MLNetClip.Bench;

/// <summary>
/// `bench mlnet [--model DIR] [--preset P] [--count N] [--batch B] [--reps R]`: image-embedding
/// throughput through the ML.NET pipeline (MaskClipEmbed over an IDataView of paths) against the
/// library's own ClipEmbedder on the same model and files, and the pipeline at batch size B
/// against batch size 1. Runs are interleaved (pipeline, direct, single, repeated) and the median
/// of each is taken, in process CPU seconds (the work done, whoever else shares the machine);
/// wall-clock medians are printed beside them. Images are Fashion-MNIST test images written as
/// PNGs at run time (or synthetic stripes when the data set is not installed).
/// </summary>
internal static class MlnetBench
{
    public static int Run(string[] args)
    {
        var count = int.Parse(BenchUtil.Arg(args, "--count", "256"), CultureInfo.InvariantCulture);
        var batch = int.Parse(BenchUtil.Arg(args, "--batch", "64"), CultureInfo.InvariantCulture);
        var reps = int.Parse(BenchUtil.Arg(args, "--reps", "3"), CultureInfo.InvariantCulture);
        var preset = BenchUtil.Arg(args, "--preset", "ViT-Tiny");
        var modelDir = BenchUtil.Arg(args, "--model", "");
        var device = Device.Parse(BenchUtil.Arg(args, "--device", "cpu"));
        var dir = Path.Combine(Path.GetTempPath(), $"mlnetclip-mlnet-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            if (modelDir.Length == 0)
            {
                modelDir = Path.Combine(dir, "model");
                Generator.ManualSeed(0);
                using var clip = new Clip(ClipPresets.All[preset](Torch.Nn.Activation.Gelu));
                HuggingFaceClip.Save(clip, modelDir);
            }
            using var model = EvaluationModel.Load(modelDir, device);
            var paths = WriteImages(dir, count);
            var ml = new MLContext(seed: 0);
            var data = ml.Data.LoadFromEnumerable(paths.Select(p => new Row { Path = p }).ToList());
            var records = paths.Select((p, i) => ImageTextRecord.FromFile($"{i}", "bench", p, null)).ToList();
            var batched = ml.Transforms.MaskClipEmbed("Features", "Path", model, batchSize: batch).Fit(data);
            var single = ml.Transforms.MaskClipEmbed("Features", "Path", model, batchSize: 1).Fit(data);
            var embedder = new ClipEmbedder(model, batchSize: batch);

            void Pipeline(ITransformer t) => t.Transform(data).GetColumn<float[]>("Features").Count();
            void Direct()
            {
                using var scope = DisposeScope.Begin();
                using var features = embedder.ImageFeatures(new RecordImages(records), ImageFeature.Embedding);
                F.Normalize(features).ToArray<float>();                                     // the pipeline normalises too
            }

            Console.WriteLine($"mlnet bench: {count} Fashion-MNIST PNGs (28x28 -> {model.ImageSize}), model {Path.GetFileName(modelDir)} " +
                              $"({(args.Contains("--model") ? "given" : preset + ", random init")}), {device}, batch {batch}, " +
                              $"threads {TorchRuntime.Threads}, load {BenchUtil.LoadAverage()}");
            Pipeline(batched); Direct();                                                      // warm-up
            var cpu = new Dictionary<string, List<double>> { ["pipeline"] = [], ["direct"] = [], ["batch1"] = [] };
            var wall = new Dictionary<string, List<double>> { ["pipeline"] = [], ["direct"] = [], ["batch1"] = [] };
            for (var r = 0; r < reps; r++)
            {
                Time("pipeline", () => Pipeline(batched));
                Time("direct", Direct);
                Time("batch1", () => Pipeline(single));
            }
            void Time(string name, Action body)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var start = BenchUtil.ProcessCpuSeconds();
                body();
                cpu[name].Add(BenchUtil.ProcessCpuSeconds() - start);
                wall[name].Add(clock.Elapsed.TotalSeconds);
            }
            foreach (var name in cpu.Keys)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name,-9} {count / BenchUtil.Median(cpu[name]),8:F1} images/CPU-s   {count / BenchUtil.Median(wall[name]),8:F1} images/s wall"));
            Console.WriteLine($"  pipeline / direct (CPU time): {BenchUtil.Ratio(BenchUtil.Median(cpu["pipeline"]), BenchUtil.Median(cpu["direct"]))}" +
                              $"   (wall {BenchUtil.Ratio(BenchUtil.Median(wall["pipeline"]), BenchUtil.Median(wall["direct"]))}; target within 1.10x)");
            Console.WriteLine($"  batch 1 / batch {batch} (CPU time): {BenchUtil.Ratio(BenchUtil.Median(cpu["batch1"]), BenchUtil.Median(cpu["pipeline"]))}" +
                              $"   (wall {BenchUtil.Ratio(BenchUtil.Median(wall["batch1"]), BenchUtil.Median(wall["pipeline"]))})");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static List<string> WriteImages(string dir, int count)
    {
        var paths = new List<string>();
        var split = FashionMnistDataset.IsAvailable() ? FashionMnistDataset.Load(FashionMnistPart.Test) : null;
        for (var i = 0; i < count; i++)
        {
            const int side = 28;
            var rgb = new byte[side * side * 3];
            for (var p = 0; p < side * side; p++)
                rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = split is null ? (byte)((p / side + i) % 7 * 36) : split.Image(i % split.Count)[p];
            var path = Path.Combine(dir, $"{i:D5}.png");
            File.WriteAllBytes(path, PngEncoder.Encode(rgb, side, side, 3));
            paths.Add(path);
        }
        return paths;
    }

    private sealed class Row
    {
        public string Path { get; set; } = "";
    }
}
