using System.Diagnostics;
using System.Text.Json;
using MLNetClip.Data.Images;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// `bench decode [--count N] [--size S] [--passes P]`: JPEG decode + resize + centre crop +
/// normalise on one thread, ours against Pillow (Debian python3-pil) on the same files in the
/// same run. Pillow runs open_clip's pipeline twice: as written (no draft) and with
/// Image.draft(), its own DCT-domain reduction. We run with and without DCT scaling.
/// Throughput is images per CPU second of the working thread (per core, and unaffected by
/// other work on a shared machine); wall-clock rates are printed beside it.
/// </summary>
internal static class DecodeBench
{
    public static int Run(string[] args)
    {
        var count = IntOption(args, "--count", 200);
        var size = IntOption(args, "--size", 224);
        var passes = IntOption(args, "--passes", 3);
        var script = Path.Combine(AppContext.BaseDirectory, "python", "decode_bench.py");
        var dir = Path.Combine(Path.GetTempPath(), $"mlnetclip-decode-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            Python(script, "make", dir, count.ToString(), "17");
            var files = Directory.GetFiles(dir, "*.jpg").Order().ToArray();
            var list = Path.Combine(dir, "files.txt");
            File.WriteAllLines(list, files);
            var sizes = files.Select(f => ImageDecoder.Probe(f)).ToArray();
            Console.WriteLine($"decode bench: {files.Length} JPEGs from {sizes.Min(s => s.Width)}x{sizes.Min(s => s.Height)} " +
                              $"to {sizes.Max(s => s.Width)}x{sizes.Max(s => s.Height)} (q90), target {size}, one thread, best of {passes} passes");

            var dct = Measure(files, ImagePreprocessor.Evaluation(size), passes);
            var full = Measure(files, ImagePreprocessor.Evaluation(size, new ImageDecodeOptions { DctScaling = false }), passes);
            using var pillow = JsonDocument.Parse(Python(script, "run", size.ToString(), passes.ToString(), list));
            var version = pillow.RootElement.GetProperty("pillow").GetString();
            var noDraft = Rate.Of(pillow.RootElement.GetProperty("no_draft"));
            var draft = Rate.Of(pillow.RootElement.GetProperty("draft"));

            Console.WriteLine("                                 images/CPU-s   images/s wall");
            Print("mlnetclip, DCT scaling", dct);
            Print("mlnetclip, full-size decode", full);
            Print($"Pillow {version}, no draft", noDraft, "  (open_clip's pipeline as written)");
            Print($"Pillow {version}, draft()", draft);
            Console.WriteLine($"  per core: DCT scaling / Pillow no draft = {dct.Cpu / noDraft.Cpu:F2}x, " +
                              $"DCT scaling / Pillow draft = {dct.Cpu / draft.Cpu:F2}x, full decode / Pillow no draft = {full.Cpu / noDraft.Cpu:F2}x");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private readonly record struct Rate(double Cpu, double Wall)
    {
        public static Rate Of(JsonElement e) => new(e.GetProperty("cpu").GetDouble(), e.GetProperty("wall").GetDouble());
    }

    private static void Print(string name, Rate r, string note = "") =>
        Console.WriteLine($"  {name,-30} {r.Cpu,10:F1} {r.Wall,13:F1}{note}");

    // Reads each file and preprocesses it into a slot of one batch, like a loader thread.
    private static Rate Measure(string[] files, ImagePreprocessor pre, int passes)
    {
        using var scope = DisposeScope.Begin();
        var batch = pre.NewBatch(32);
        double bestCpu = 0, bestWall = 0;
        for (var pass = 0; pass <= passes; pass++)  // pass 0 warms up
        {
            var cpu = BenchUtil.ThreadCpuSeconds();
            var wall = Stopwatch.StartNew();
            for (var i = 0; i < files.Length; i++) pre.WriteInto(batch, i % 32, File.ReadAllBytes(files[i]));
            if (pass == 0) continue;
            bestCpu = Math.Max(bestCpu, files.Length / (BenchUtil.ThreadCpuSeconds() - cpu));
            bestWall = Math.Max(bestWall, files.Length / wall.Elapsed.TotalSeconds);
        }
        return new Rate(bestCpu, bestWall);
    }

    private static string Python(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"decode_bench.py {args[0]} failed: {stderr.Result}");
        return stdout;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
    }
}
