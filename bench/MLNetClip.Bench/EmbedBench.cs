using System.Globalization;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// Image-embedding throughput on CPU: the evaluation code's no-grad image forward (patch
/// embedding through projection, on an already preprocessed batch, so decoding is not timed)
/// against the same forward in plain PyTorch (python/embed_bench.py) on the same libtorch, with the
/// same weights loaded from our safetensors and the same batch. Each side runs in its own process;
/// they take turns (ours, PyTorch, ours, PyTorch, …) so a shared machine's load falls on both
/// alike, and the median of the per-pair ratios is reported. The reference embeds the batch once
/// before timing and reports its largest difference from our embeddings.
/// </summary>
internal static class EmbedBench
{
    private sealed record Case(string Name, string Preset, int ImageSize, int Batch);

    private sealed record CaseRun(Case Case, List<(StepTiming Ours, StepTiming Reference)> Pairs, long Parameters, double MaxAbsDiff, double MaxAbs);

    public static int Run(string[] args)
    {
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        int threads = Int("--threads", "2"), pairs = Int("--pairs", "5"), passes = Int("--passes", "1"), warmUp = Int("--warmup", "1");
        var all = new Dictionary<string, Case>(StringComparer.OrdinalIgnoreCase)
        {
            ["tiny"] = new("tiny", "ViT-Tiny", 64, Int("--tiny-batch", "128")),
            ["b16"] = new("b16", "ViT-B-16", 224, Int("--b16-batch", "16")),
        };
        var names = BenchUtil.Arg(args, "--cases", "tiny,b16").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var unknown = names.FirstOrDefault(n => !all.ContainsKey(n));
        if (unknown is not null)
        {
            Console.Error.WriteLine($"bench embed: unknown case '{unknown}' in --cases; expected some of {string.Join(", ", all.Keys)}");
            return 2;
        }
        var loadBefore = BenchUtil.LoadAverage();
        var runs = names.Select(n => Measure(all[n], threads, warmUp, pairs, passes)).ToList();

        Console.WriteLine($"bench embed: CPU, {threads} threads, image embeddings under no-grad from preprocessed batches (decoding not timed); libtorch {TorchRuntime.Version}");
        Console.WriteLine($"each side in its own process: {warmUp} warm-up pass(es), then {pairs} pairs (ours, PyTorch) of {passes} pass(es) each; " +
                          $"load average {loadBefore} before, {BenchUtil.LoadAverage()} after");
        Console.WriteLine();
        Console.WriteLine($"{"model",-22} {"batch",5} {"pair",-6} {"ours img/s",11} {"PyTorch",9} {"speed, wall",12} {"ours CPU s",11} {"PyTorch",9} {"speed, CPU",11}");
        foreach (var run in runs)
        {
            var label = $"{run.Case.Preset} {run.Case.ImageSize} px";
            for (var i = 0; i < run.Pairs.Count; i++)
            {
                var (o, r) = run.Pairs[i];
                Console.WriteLine(Invariant($"{label,-22} {run.Case.Batch,5} {i + 1,-6} {run.Case.Batch / o.Wall,11:F1} {run.Case.Batch / r.Wall,9:F1} {r.Wall / o.Wall,11:F2}x {o.Cpu,11:F3} {r.Cpu,9:F3} {r.Cpu / o.Cpu,10:F2}x"));
            }
            Console.WriteLine(Invariant($"{label,-22} {run.Case.Batch,5} {"median",-6} {run.Case.Batch / Median(run, t => t.Ours.Wall),11:F1} ") +
                              Invariant($"{run.Case.Batch / Median(run, t => t.Reference.Wall),9:F1} {Median(run, t => t.Reference.Wall / t.Ours.Wall),11:F2}x ") +
                              Invariant($"{Median(run, t => t.Ours.Cpu),11:F3} {Median(run, t => t.Reference.Cpu),9:F3} {Median(run, t => t.Reference.Cpu / t.Ours.Cpu),10:F2}x"));
        }
        Console.WriteLine("speed = PyTorch's time over ours in the same pair (above 1.00x: ours is faster); CPU = process CPU seconds per pass, all threads");
        Console.WriteLine();
        foreach (var run in runs)
        {
            Console.WriteLine(Invariant($"{run.Case.Preset,-10} image tower {run.Parameters / 1e6:F1} M parameters; embeddings, PyTorch vs ours: ") +
                              Invariant($"max |difference| {run.MaxAbsDiff:E2} (largest |value| {run.MaxAbs:F3}); ") +
                              Invariant($"minor page faults per pass, ours vs PyTorch: {Median(run, t => t.Ours.MinorFaults):F0} vs {Median(run, t => t.Reference.MinorFaults):F0}"));
        }
        return 0;
    }

    private static CaseRun Measure(Case c, int threads, int warmUp, int pairs, int passes)
    {
        var dir = Directory.CreateTempSubdirectory("mlnetclip-bench-embed-");
        try
        {
            var init = Path.Combine(dir.FullName, "init.safetensors");
            var t = threads.ToString(CultureInfo.InvariantCulture);
            using var ours = BenchWorker.StartSelf($"ours ({c.Preset})",
                ["--preset", c.Preset, "--batch", c.Batch.ToString(CultureInfo.InvariantCulture), "--init", init, "--threads", t], "embed-worker");
            using var reference = BenchWorker.StartPython($"PyTorch ({c.Preset})", "embed_bench.py", ["--init", init, "--threads", t]);
            ours.Run(warmUp);
            reference.Run(warmUp);
            var timed = new List<(StepTiming, StepTiming)>();
            for (var p = 0; p < pairs; p++)
            {
                var a = ours.Run(passes);
                var b = reference.Run(passes);
                timed.Add((a, b));
                Console.Error.WriteLine(Invariant($"bench embed: {c.Preset} pair {p + 1}/{pairs}: ours {a.Wall:F3} s, PyTorch {b.Wall:F3} s per pass"));
            }
            return new CaseRun(c, timed, ours.Ready.GetProperty("parameters").GetInt64(),
                reference.Ready.GetProperty("max_abs_diff").GetDouble(), reference.Ready.GetProperty("max_abs").GetDouble());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static double Median(CaseRun run, Func<(StepTiming Ours, StepTiming Reference), double> value) =>
        BenchUtil.Median(run.Pairs.Select(value));

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
