using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Images;
using MLNetClip.Data.Loading;
using MLNetClip.Data.Shards;
using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Bench;

/// <summary>
/// `bench loader [--count N] [--batch B] [--emoji DIR]`: loader throughput with 1 and 2 workers on
/// 64-px emoji PNGs (64 → 64, training crops) and on 224-px JPEG shards made here by upscaling
/// those PNGs with Pillow, against one CPU training step (forward, backward, AdamW) of CLIP
/// VitTiny at batch B on 64-px images, timed in the same run. Uses the emoji benchmark when it has
/// been built (--emoji, $MLNETCLIP_EMOJI_DIR or ~/.cache/mlnetclip/emoji); otherwise generated PNGs.
/// </summary>
internal static class LoaderBench
{
    public static int Run(string[] args)
    {
        var count = int.Parse(BenchUtil.Arg(args, "--count", "1024"), CultureInfo.InvariantCulture);
        var batch = int.Parse(BenchUtil.Arg(args, "--batch", "64"), CultureInfo.InvariantCulture);
        var dir = Path.Combine(Path.GetTempPath(), $"mlnetclip-loader-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var (pngs, origin) = EmojiPngs(BenchUtil.Arg(args, "--emoji", ""), count) is { Count: > 0 } found
                ? (found, "emoji benchmark PNGs")
                : (GeneratePngs(dir, count), "generated 64-px PNGs (no emoji build found)");
            var manifest = WriteManifest(Path.Combine(dir, "png.tsv"), pngs);
            Console.WriteLine($"loader bench: {pngs.Count} {origin}, batch {batch}, {Environment.ProcessorCount} cores, " +
                              $"libtorch threads {TorchRuntime.Threads}");

            Console.WriteLine("                                       images/s   consumer wait");
            var png = new Dictionary<int, double>();
            foreach (var workers in new[] { 1, 2 })
                png[workers] = Measure($"PNG 64 -> 64, {workers} worker(s)", ManifestSource.Open(manifest), batch, workers, 64);

            double? jpeg1 = null;
            var jpegDir = Path.Combine(dir, "jpeg");
            if (UpscaleToJpeg(pngs, jpegDir, 224) is { } jpegs)
            {
                var summary = ShardWriter.Write(ManifestSource.Open(WriteManifest(Path.Combine(dir, "jpeg.tsv"), jpegs)),
                    Path.Combine(dir, "shards"), "jpeg", maxCount: 256);
                var shards = WebDatasetSource.Open(summary.Pattern);
                Console.WriteLine($"  ({summary.Written} 224-px JPEGs, q90, in {summary.Shards.Count} shards, {Megabytes(summary.Shards):F1} MB)");
                foreach (var workers in new[] { 1, 2 })
                {
                    var rate = Measure($"JPEG shards 224 -> 224, {workers} worker(s)", shards, batch, workers, 224);
                    if (workers == 1) jpeg1 = rate;
                }
            }

            var (stepSeconds, parameters) = TrainingStep(batch);
            var trainRate = batch / stepSeconds;
            Console.WriteLine($"training step, CLIP VitTiny ({parameters / 1e6:F1} M params), batch {batch} at 64 px: " +
                              $"{stepSeconds * 1000:F0} ms/step = {trainRate:F0} images/s");
            Console.WriteLine($"  loader / training, PNG 64, 1 worker:  {BenchUtil.Ratio(png[1], trainRate)}");
            Console.WriteLine($"  loader / training, PNG 64, 2 workers: {BenchUtil.Ratio(png[2], trainRate)}");
            if (jpeg1 is { } j) Console.WriteLine($"  loader / training, JPEG 224, 1 worker: {BenchUtil.Ratio(j, trainRate)}");
            FedTraining(ManifestSource.Open(manifest), batch);
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // One warm-up epoch, then the best of two: the rate the loader sustains with an idle consumer.
    private static double Measure(string name, IImageTextSource source, int batch, int workers, int size)
    {
        var loader = new ImageTextLoader(source, new ImageTextLoaderOptions
        {
            BatchSize = batch, Workers = workers, PrefetchBatches = Math.Max(4, workers), ImageSize = size,
            Mode = ImagePreprocessMode.Training, Seed = 1,
        });
        LoaderStatistics? best = null;
        for (var epoch = 0; epoch < 3; epoch++)
        {
            foreach (var b in loader.ReadEpoch(epoch)) b.Dispose();
            var stats = loader.Statistics!;
            if (epoch > 0 && (best is null || stats.ImagesPerSecond > best.ImagesPerSecond)) best = stats;
        }
        Console.WriteLine($"  {name,-36} {best!.ImagesPerSecond,9:F0}   {best.WaitFraction,6:P0}");
        return best.ImagesPerSecond;
    }

    private static (double Seconds, long Parameters) TrainingStep(int batch)
    {
        using var model = new Clip(ClipPresets.VitTiny());
        using var optimizer = new AdamW(ParamGroup.ForWeightDecay(model, 0.1), learningRate: 1e-4);
        var loss = new ClipLoss();
        using var images = Tensor.Randn([batch, 3, 64, 64]);
        using var ids = Tensor.RandInt(1, 49406, [batch, 77]);
        Step(model, optimizer, loss, images, ids);
        var seconds = BenchUtil.BestOf(3, () => Step(model, optimizer, loss, images, ids));
        return (seconds, model.ParameterCount());
    }

    private static void Step(Clip model, AdamW optimizer, ClipLoss loss, Tensor images, Tensor ids)
    {
        using var scope = DisposeScope.Begin();
        optimizer.ZeroGrad();
        using var terms = loss.Forward(model.EncodeImage(images, true), model.EncodeText(ids, true), model.LogitScaleFactor());
        terms.Total.Backward();
        optimizer.Step();
    }

    // The real question: does a training loop fed by the loader ever wait for data?
    private static void FedTraining(IImageTextSource source, int batch)
    {
        using var model = new Clip(ClipPresets.VitTiny());
        using var optimizer = new AdamW(ParamGroup.ForWeightDecay(model, 0.1), learningRate: 1e-4);
        var loss = new ClipLoss();
        var loader = new ImageTextLoader(source, new ImageTextLoaderOptions
        {
            BatchSize = batch, Workers = 1, PrefetchBatches = 2, ImageSize = 64, Mode = ImagePreprocessMode.Training, DropLast = true,
        });
        var steps = 0;
        foreach (var b in loader.ReadEpoch(0))
        {
            using (b) Step(model, optimizer, loss, b.Images, b.TokenIds);
            if (++steps == 8) break;
        }
        var s = loader.Statistics!;
        Console.WriteLine($"training fed by the loader (1 worker, PNG 64): {steps} steps in {s.Elapsed.TotalSeconds:F1} s, " +
                          $"waiting for data {s.ConsumerWait.TotalSeconds:F2} s ({s.WaitFraction:P1}, the first batch included)");
    }

    private static List<string> EmojiPngs(string given, int count)
    {
        var candidates = new[]
        {
            given, Environment.GetEnvironmentVariable("MLNETCLIP_EMOJI_DIR") ?? "",
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlnetclip", "emoji"),
        };
        foreach (var c in candidates.Where(c => c.Length > 0))
        {
            var manifest = Path.Combine(c, "emoji.tsv");
            if (!File.Exists(manifest)) continue;
            return ManifestSource.Open(manifest).Where(r => r.ImagePath is not null && File.Exists(r.ImagePath))
                .Select(r => r.ImagePath!).Distinct().Take(count).ToList();
        }
        return [];
    }

    private static string WriteManifest(string path, IReadOnlyList<string> images)
    {
        var text = new StringBuilder("filepath\ttitle\n");
        for (var i = 0; i < images.Count; i++)
            text.Append(images[i]).Append("\ta picture of emoji number ").Append(i).Append(" with a smiling face\n");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static double Megabytes(IEnumerable<string> files) => files.Sum(f => new FileInfo(f).Length) / 1e6;

    // Pillow draws the upscaled JPEGs; without it that part of the bench is left out.
    private static List<string>? UpscaleToJpeg(IReadOnlyList<string> pngs, string outDir, int size)
    {
        Directory.CreateDirectory(outDir);
        var list = Path.Combine(outDir, "list.txt");
        File.WriteAllLines(list, pngs);
        const string script = """
            import sys, os
            from PIL import Image
            src, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
            for i, p in enumerate(open(src).read().split()):
                im = Image.open(p).convert("RGBA")
                bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
                Image.alpha_composite(bg, im).convert("RGB").resize((size, size), Image.BICUBIC).save(os.path.join(out, f"{i:06d}.jpg"), quality=90)
            """;
        var psi = new ProcessStartInfo(BenchUtil.Python) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", script, list, outDir, size.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode == 0) return Directory.GetFiles(outDir, "*.jpg").Order(StringComparer.Ordinal).ToList();
            Console.WriteLine($"  (JPEG part left out: Pillow failed: {stderr.Trim().Split('\n').Last()})");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"  (JPEG part left out: {BenchUtil.Python} unavailable: {e.Message})");
        }
        return null;
    }

    // Emoji-like stand-ins: a disc and a ring on transparency, smooth enough to compress like emoji.
    private static List<string> GeneratePngs(string dir, int count)
    {
        var folder = Path.Combine(dir, "png");
        Directory.CreateDirectory(folder);
        var paths = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var rng = new Random(i);
            var rgba = new byte[64 * 64 * 4];
            var (cx, cy, r) = (28 + rng.Next(8), 28 + rng.Next(8), 22 + rng.Next(8));
            var colour = new[] { (byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256) };
            for (var y = 0; y < 64; y++)
                for (var x = 0; x < 64; x++)
                {
                    var d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                    if (d > r) continue;
                    var o = (y * 64 + x) * 4;
                    var ring = Math.Abs(d - r * 0.6) < 2;
                    for (var c = 0; c < 3; c++) rgba[o + c] = ring ? (byte)40 : (byte)Math.Min(255, colour[c] + (int)(d * 2));
                    rgba[o + 3] = 255;
                }
            var path = Path.Combine(folder, $"{i:D6}.png");
            File.WriteAllBytes(path, Png(64, 64, rgba));
            paths.Add(path);
        }
        return paths;
    }

    private static byte[] Png(int width, int height, byte[] rgba)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0);
            raw.Write(rgba, y * width * 4, width * 4);
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zs);
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 6;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(data);
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(head.AsSpan(4), data));
        s.Write(crc);
    }

    private static uint Crc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var span in new[] { type.ToArray(), data.ToArray() })
            foreach (var b in span)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        return ~crc;
    }
}
