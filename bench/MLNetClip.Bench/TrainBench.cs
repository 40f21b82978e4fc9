using System.Globalization;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// One pretraining step (forward, backward, clip, AdamW, EMA) of each method on CPU, ours against
/// a plain-PyTorch reference of the same computation (python/train_bench.py) loading the same
/// initial weights, batch and optimiser settings. Each side runs in its own process; they take
/// turns (ours, PyTorch, ours, PyTorch, …) so a shared machine's load falls on both alike, and the
/// median of the per-pair ratios is reported. Then each method's cost against CLIP, beside its
/// analytic FLOP ratio (<see cref="TrainFlops"/>).
/// </summary>
internal static class TrainBench
{
    private sealed record MethodRun(string Method, List<(StepTiming Ours, StepTiming Reference)> Pairs,
        (StepTiming Ours, StepTiming Reference) WarmUp, long OursStartRss, long ReferenceStartRss, long TextLength, long Parameters);

    public static int Run(string[] args)
    {
        var methods = BenchUtil.Arg(args, "--methods", "clip").Split(',', StringSplitOptions.RemoveEmptyEntries);
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        int threads = Int("--threads", "2"), pairs = Int("--pairs", "3"), steps = Int("--steps", "2"), warmUp = Int("--warmup", "2");
        var workerArgs = new[]
        {
            "--threads", threads.ToString(CultureInfo.InvariantCulture), "--batch", BenchUtil.Arg(args, "--batch", "64"),
            "--max-caption-tokens", BenchUtil.Arg(args, "--max-caption-tokens", "25"), "--seed", BenchUtil.Arg(args, "--seed", "0"),
        };
        var ownOnly = methods.Where(TrainBenchAgainstClip.Handles).ToList();
        // The frozen-teacher methods are timed beside a teacher-only forward as well as clip: `bench distill`'s table.
        var distill = methods.Where(DistillBench.Handles).ToList();
        methods = methods.Where(m => !TrainBenchAgainstClip.Handles(m) && !DistillBench.Handles(m)).ToArray();
        if (methods.Length == 0)
        {
            if (ownOnly.Count > 0) TrainBenchAgainstClip.Run(ownOnly, workerArgs, warmUp, pairs, steps);
            if (distill.Count > 0) DistillBench.Run(["--threads", $"{threads}", "--turns", $"{pairs}", "--steps", $"{steps}"], distill);
            return 0;
        }
        var loadBefore = BenchUtil.LoadAverage();
        var runs = methods.Select(m => Measure(m, workerArgs, warmUp, pairs, steps)).ToList();

        Console.WriteLine($"bench train: CPU, {threads} threads, ViT-Tiny ({runs[0].Parameters / 1e6:F1} M parameters with the method's extras: {string.Join(", ", runs.Select(r => $"{r.Method} {r.Parameters / 1e6:F1} M"))}), " +
                          $"batch {BenchUtil.Arg(args, "--batch", "64")} at 64 px, captions trimmed to {runs[0].TextLength} tokens; libtorch {TorchRuntime.Version}");
        Console.WriteLine($"each side in its own process: {warmUp} warm-up steps, then {pairs} pairs (ours, PyTorch) of {steps} steps each; " +
                          $"load average {loadBefore} before, {BenchUtil.LoadAverage()} after");
        // Our library defaults libgomp to PASSIVE (ThreadWaitPolicy); the reference gets the environment as it is.
        Console.WriteLine($"OpenMP wait policy: ours {TorchRuntime.ThreadWaitPolicy ?? "libgomp default (spin, then sleep)"}, " +
                          $"PyTorch {Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "libgomp default (spin, then sleep)"}; " +
                          $"malloc: ours {(Environment.GetEnvironmentVariable("MLNETCLIP_MALLOC") == "system" ? "glibc default" : "freed blocks kept (HostMemory)")}, " +
                          $"PyTorch {Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "glibc default"}");
        Console.WriteLine();
        PrintPairs(runs);
        Console.WriteLine();
        PrintAgreement(runs);
        Console.WriteLine();
        PrintAgainstClip(runs);
        PrintVitB16Flops();
        if (ownOnly.Count > 0) TrainBenchAgainstClip.Run(ownOnly, workerArgs, warmUp, pairs, steps);
        if (distill.Count > 0) DistillBench.Run(["--threads", $"{threads}", "--turns", $"{pairs}", "--steps", $"{steps}"], distill);
        return 0;
    }

    private static MethodRun Measure(string method, string[] common, int warmUp, int pairs, int steps)
    {
        var dir = Directory.CreateTempSubdirectory("mlnetclip-bench-train-");
        try
        {
            var init = Path.Combine(dir.FullName, "init.safetensors");
            using var ours = BenchWorker.StartSelf($"ours ({method})", ["--method", method, "--init", init, .. common]);
            using var reference = BenchWorker.StartPython($"PyTorch ({method})", "train_bench.py", ["--init", init, "--threads", common[1]]);
            var warm = (ours.Run(warmUp), reference.Run(warmUp));
            var timed = new List<(StepTiming, StepTiming)>();
            for (var p = 0; p < pairs; p++)
            {
                var a = ours.Run(steps);
                var b = reference.Run(steps);
                timed.Add((a, b));
                Console.Error.WriteLine(Invariant($"bench train: {method} pair {p + 1}/{pairs}: ours {a.Wall:F3} s, PyTorch {b.Wall:F3} s"));
            }
            return new MethodRun(method, timed, warm, ours.Ready.GetProperty("baseline_rss").GetInt64(),
                reference.Ready.GetProperty("baseline_rss").GetInt64(), ours.Ready.GetProperty("text_length").GetInt64(),
                ours.Ready.GetProperty("parameters").GetInt64());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void PrintPairs(List<MethodRun> runs)
    {
        Console.WriteLine($"{"method",-20} {"pair",-6} {"ours s/step",12} {"PyTorch",9} {"wall",7} {"ours CPU s",11} {"PyTorch",9} {"CPU",7}");
        foreach (var run in runs)
        {
            for (var i = 0; i < run.Pairs.Count; i++)
            {
                var (o, r) = run.Pairs[i];
                Console.WriteLine(Invariant($"{run.Method,-20} {i + 1,-6} {o.Wall,12:F3} {r.Wall,9:F3} {o.Wall / r.Wall,6:F2}x {o.Cpu,11:F3} {r.Cpu,9:F3} {o.Cpu / r.Cpu,6:F2}x"));
            }
            Console.WriteLine(Invariant($"{run.Method,-20} {"median",-6} {Median(run, t => t.Ours.Wall),12:F3} {Median(run, t => t.Reference.Wall),9:F3} ") +
                              Invariant($"{Median(run, t => t.Ours.Wall / t.Reference.Wall),6:F2}x {Median(run, t => t.Ours.Cpu),11:F3} ") +
                              Invariant($"{Median(run, t => t.Reference.Cpu),9:F3} {Median(run, t => t.Ours.Cpu / t.Reference.Cpu),6:F2}x"));
        }
    }

    // The reference is only worth timing if it computes what we compute: same weights and batch give the same loss.
    private static void PrintAgreement(List<MethodRun> runs)
    {
        foreach (var run in runs)
        {
            var (o, r) = run.WarmUp;
            var shared = o.Loss.Keys.Where(r.Loss.ContainsKey).ToList();
            var terms = string.Join(", ", shared.Select(k => Invariant($"{k} {o.Loss[k]:F5} vs {r.Loss[k]:F5}")));
            Console.WriteLine($"{run.Method,-20} loss at the last warm-up step, ours vs PyTorch: {terms}");
            Console.WriteLine(Invariant($"{"",-20} peak RSS above start-up, ours vs PyTorch: {OursMemory(run) / 1e6:F0} MB vs {ReferenceMemory(run) / 1e6:F0} MB; ") +
                              Invariant($"minor page faults per step {Median(run, t => t.Ours.MinorFaults):F0} vs {Median(run, t => t.Reference.MinorFaults):F0}"));
        }
    }

    private static double OursMemory(MethodRun r) => r.Pairs.Max(t => t.Ours.PeakRss) - r.OursStartRss;

    private static double ReferenceMemory(MethodRun r) => r.Pairs.Max(t => t.Reference.PeakRss) - r.ReferenceStartRss;

    private static void PrintAgainstClip(List<MethodRun> runs)
    {
        var clip = runs.FirstOrDefault(r => r.Method == "clip");
        if (clip is null) return;
        var preset = ClipPresets.VitTiny();
        double Wall(MethodRun r) => Median(r, t => t.Ours.Wall);
        double Cpu(MethodRun r) => Median(r, t => t.Ours.Cpu);
        double Memory(MethodRun r) => OursMemory(r);
        double Flops(MethodRun r) => TrainFlops.Step(r.Method, preset, new MaskClipOptions(), r.TextLength);
        Console.WriteLine("ours, each method against clip (peak RSS counted above the worker's start-up RSS: weights, teacher, gradients, moments, activations)");
        Console.WriteLine($"{"method",-20} {"s/step",8} {"x clip",7} {"CPU s",8} {"x clip",7} {"peak MB",9} {"x clip",7} {"GFLOP/pair",11} {"x clip",7}");
        foreach (var r in runs)
        {
            Console.WriteLine(Invariant($"{r.Method,-20} {Wall(r),8:F3} {Wall(r) / Wall(clip),6:F2}x {Cpu(r),8:F3} {Cpu(r) / Cpu(clip),6:F2}x ") +
                              Invariant($"{Memory(r) / 1e6,9:F0} {Memory(r) / Memory(clip),6:F2}x {Flops(r) / 1e9,11:F3} {Flops(r) / Flops(clip),6:F2}x"));
        }
    }

    // The same count at ViT-B/16 scale, where the paper and a PyTorch H100 run give ~1.57x for maskclip.
    private static void PrintVitB16Flops()
    {
        var preset = ClipPresets.VitB16();
        var withText = new MaskClipOptions();
        var imageOnly = withText with { TextBranch = false };
        double Ratio(string method, MaskClipOptions m) => TrainFlops.Step(method, preset, m, 77) / TrainFlops.Step("clip", preset, m, 77);
        Console.WriteLine(Invariant($"analytic FLOPs against clip at ViT-B/16 (224 px, 77-token captions): maskclip {Ratio("maskclip", withText):F2}x ") +
                          Invariant($"({Ratio("maskclip", imageOnly):F2}x without the text branch), maskclip-efficient {Ratio("maskclip-efficient", withText):F2}x ") +
                          Invariant($"({Ratio("maskclip-efficient", imageOnly):F2}x)"));
    }

    private static double Median(MethodRun run, Func<(StepTiming Ours, StepTiming Reference), double> value) =>
        BenchUtil.Median(run.Pairs.Select(value));

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
