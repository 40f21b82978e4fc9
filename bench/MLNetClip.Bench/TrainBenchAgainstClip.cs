using System.Globalization;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;

namespace MLNetClip.Bench;

/// <summary>
/// The methods with no PyTorch reference in python/train_bench.py (aclip, aclip-efficient, flip)
/// against our own clip: one worker process per method, clip's included, taking turns step block
/// by step block (clip, then each method, again and again), so the machine's load falls on all of
/// them alike; per round each method's cost over clip's in that round, then the median over
/// rounds. Set beside each method's analytic FLOP ratio (<see cref="TrainFlops"/>).
/// </summary>
internal static class TrainBenchAgainstClip
{
    /// <summary>Methods measured here rather than against PyTorch.</summary>
    public static bool Handles(string method) => method is AClipMethod.MethodName or AClipEfficientMethod.MethodName or FlipMethod.MethodName;

    public static void Run(IReadOnlyList<string> methods, string[] common, int warmUp, int rounds, int steps)
    {
        var dir = Directory.CreateTempSubdirectory("mlnetclip-bench-train-");
        var workers = new List<(string Method, BenchWorker Worker)>();
        try
        {
            var loadBefore = BenchUtil.LoadAverage();
            foreach (var method in new[] { ClipMethod.MethodName }.Concat(methods))
            {
                var init = Path.Combine(dir.FullName, $"{method}.safetensors");
                workers.Add((method, BenchWorker.StartSelf($"ours ({method})", ["--method", method, "--init", init, .. common])));
            }
            foreach (var (_, w) in workers) w.Run(warmUp);
            var timings = workers.ToDictionary(w => w.Method, _ => new List<StepTiming>());
            for (var r = 0; r < rounds; r++)
                foreach (var (method, w) in workers)
                {
                    var t = w.Run(steps);
                    timings[method].Add(t);
                    Console.Error.WriteLine(Invariant($"bench train: round {r + 1}/{rounds}: {method} {t.Wall:F3} s/step"));
                }
            var textLength = workers[0].Worker.Ready.GetProperty("text_length").GetInt64();
            Print(timings, workers.ToDictionary(w => w.Method, w => w.Worker.Ready.GetProperty("baseline_rss").GetInt64()), textLength,
                loadBefore, BenchUtil.LoadAverage(), rounds, steps, warmUp);
        }
        finally
        {
            foreach (var (_, w) in workers) w.Dispose();
            dir.Delete(recursive: true);
        }
    }

    private static void Print(Dictionary<string, List<StepTiming>> timings, Dictionary<string, long> startRss, long textLength,
        string loadBefore, string loadAfter, int rounds, int steps, int warmUp)
    {
        var tiny = ClipPresets.VitTiny();
        var b16 = ClipPresets.VitB16();
        var clip = timings[ClipMethod.MethodName];
        double Flops(ClipOptions o, string m, long length) => TrainFlops.Step(m, o, new MaskClipOptions(), length);
        double Peak(string m) => timings[m].Max(t => t.PeakRss) - startRss[m];
        Console.WriteLine();
        Console.WriteLine($"ours against ours: clip and {string.Join(", ", timings.Keys.Skip(1))} in turn, {warmUp} warm-up steps, then {rounds} rounds of {steps} steps each; " +
                          $"load average {loadBefore} before, {loadAfter} after");
        Console.WriteLine($"{"method",-16} {"s/step",8} {"x clip",7} {"CPU s",8} {"x clip",7} {"peak MB",8} {"x clip",7} {"FLOPs x clip",13} {"ViT-B/16 FLOPs",15}");
        foreach (var (method, list) in timings)
        {
            double wall = BenchUtil.Median(list.Select(t => t.Wall)), cpu = BenchUtil.Median(list.Select(t => t.Cpu));
            double wallRatio = BenchUtil.Median(list.Select((t, i) => t.Wall / clip[i].Wall));
            double cpuRatio = BenchUtil.Median(list.Select((t, i) => t.Cpu / clip[i].Cpu));
            Console.WriteLine(Invariant($"{method,-16} {wall,8:F3} {wallRatio,6:F2}x {cpu,8:F3} {cpuRatio,6:F2}x {Peak(method) / 1e6,8:F0} {Peak(method) / Peak(ClipMethod.MethodName),6:F2}x ") +
                              Invariant($"{Flops(tiny, method, textLength) / Flops(tiny, ClipMethod.MethodName, textLength),12:F2}x {Flops(b16, method, 77) / Flops(b16, ClipMethod.MethodName, 77),14:F2}x"));
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
