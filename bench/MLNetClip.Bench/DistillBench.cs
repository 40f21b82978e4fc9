using System.Globalization;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;
using static System.FormattableString;

namespace MLNetClip.Bench;

/// <summary>
/// `bench distill`: the frozen-teacher methods' training step on ViT-Tiny (student and teacher),
/// each beside the teacher's no-grad forward alone and beside CLIP's step. Every configuration runs
/// in its own worker process; the workers take turns (A, B, C, …, then again), so a change in the
/// machine's load hits all of them alike, and each row is the median of its turns. Memory is the
/// worker's peak resident set above what it held before building anything.
/// Options: --batch B (32), --threads T (2), --turns R (3), --steps S per turn (2).
/// </summary>
internal static class DistillBench
{
    private static readonly string[] Baselines = ["teacher-forward", "clip"];
    private static readonly string[] Methods = ["maskdistill", "milan", "maskalign", "vqkd", "beitv2"];

    /// <summary>Frozen-teacher methods, which `bench train --methods` hands to this bench.</summary>
    public static bool Handles(string method) => Methods.Contains(method);

    /// <summary>All methods, or only <paramref name="only"/> (from `bench train`), beside both baselines.</summary>
    public static int Run(string[] args) => Run(args, null);

    public static int Run(string[] args, IReadOnlyList<string>? only)
    {
        string[] configurations = [.. Baselines, .. Methods.Where(m => only is null || only.Contains(m))];
        int Int(string name, string fallback) => int.Parse(BenchUtil.Arg(args, name, fallback), CultureInfo.InvariantCulture);
        int turns = Int("--turns", "3"), steps = Int("--steps", "2");
        var folder = Path.Combine(Path.GetTempPath(), "mlnetclip-bench-distill-" + Environment.ProcessId);
        try
        {
            var (teacher, tokenizer) = WriteTeacherAndTokenizer(folder);
            var common = new[] { "--batch", BenchUtil.Arg(args, "--batch", "32"), "--threads", BenchUtil.Arg(args, "--threads", "2"),
                "--teacher", teacher, "--tokenizer", tokenizer };
            var workers = configurations.Select(c => BenchWorker.StartSelf(c, ["--method", c, .. common], "distill-worker")).ToList();
            try
            {
                foreach (var w in workers) w.Run(1);                                    // warm-up
                var timings = workers.ToDictionary(w => w.Name, _ => new List<StepTiming>());
                for (var turn = 0; turn < turns; turn++)
                    foreach (var w in workers) timings[w.Name].Add(w.Run(steps));
                Print(workers, timings, args, configurations);
            }
            finally
            {
                foreach (var w in workers) w.Dispose();
            }
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    // A randomly initialised ViT-Tiny CLIP as the teacher (its cost, not its knowledge, is measured)
    // and an untrained vqkd tokenizer exported from it for beitv2.
    private static (string Teacher, string Tokenizer) WriteTeacherAndTokenizer(string folder)
    {
        string teacher = Path.Combine(folder, "teacher"), tokenizer = Path.Combine(folder, "tokenizer");
        Generator.ManualSeed(1);
        using (var clip = new Clip(ClipPresets.VitTiny())) HuggingFaceClip.Save(clip, teacher);
        using var vqkd = new VqkdMethod(new Clip(ClipPresets.VitTiny()), new DistillOptions { CodebookSize = 1024 }, ClipTeacher.Load(teacher));
        HuggingFaceClip.Save(vqkd.Model, tokenizer);
        vqkd.ExportExtras(tokenizer);
        return (teacher, tokenizer);
    }

    private static void Print(List<BenchWorker> workers, Dictionary<string, List<StepTiming>> timings, string[] args, string[] configurations)
    {
        double Wall(string c) => BenchUtil.Median(timings[c].Select(t => t.Wall));
        double Cpu(string c) => BenchUtil.Median(timings[c].Select(t => t.Cpu));
        double Memory(string c) => timings[c].Max(t => t.PeakRss) - workers.First(w => w.Name == c).Ready.GetProperty("baseline_rss").GetInt64();
        Console.WriteLine($"bench distill: CPU, ViT-Tiny student and teacher, batch {BenchUtil.Arg(args, "--batch", "32")}, " +
            $"{BenchUtil.Arg(args, "--threads", "2")} threads, load average {BenchUtil.LoadAverage()} (medians of interleaved turns)");
        Console.WriteLine($"{"configuration",-16} {"s/step",8} {"vs teacher",10} {"vs clip",8} {"cpu s",8} {"vs clip",8} {"peak MiB",9} {"vs teacher",10} {"vs clip",8}");
        foreach (var c in configurations)
            Console.WriteLine(Invariant($"{c,-16} {Wall(c),8:F3} {BenchUtil.Ratio(Wall(c), Wall("teacher-forward")),10} {BenchUtil.Ratio(Wall(c), Wall("clip")),8} ") +
                Invariant($"{Cpu(c),8:F3} {BenchUtil.Ratio(Cpu(c), Cpu("clip")),8} {Memory(c) / (1 << 20),9:F0} ") +
                Invariant($"{BenchUtil.Ratio(Memory(c), Memory("teacher-forward")),10} {BenchUtil.Ratio(Memory(c), Memory("clip")),8}"));
    }
}
