using MLNetClip.Data.Datasets;
using MLNetClip.Data.Loading;
using MLNetClip.Data.Shards;
using static MLNetClip.Data.Tests.LoadingTestData;

namespace MLNetClip.Data.Tests;

/// <summary>The error policy: bad samples are skipped and counted, too many stop the run.</summary>
public class LoadingSkipTests
{
    // 100 samples, 5 bad: 2 with corrupt bytes, 2 truncated, 1 empty file.
    private static readonly Dictionary<int, string> Bad = new() { [3] = "corrupt", [27] = "truncated", [50] = "empty", [71] = "corrupt", [98] = "truncated" };

    private static byte[] Image(int i)
    {
        var png = Png(i);
        if (!Bad.TryGetValue(i, out var kind)) return png;
        if (kind == "empty") return [];
        if (kind == "truncated") return png[..(png.Length * 2 / 3)];
        var corrupt = (byte[])png.Clone();
        for (var k = 40; k < corrupt.Length - 20; k += 3) corrupt[k] ^= 0x5A;  // image data and its checksums
        return corrupt;
    }

    private static ImageTextLoaderOptions Options(int workers) =>
        new() { BatchSize = 16, Workers = workers, PrefetchBatches = 4, ImageSize = 16, ContextLength = 12, Seed = 3, KeptSkipReasons = 10 };

    [Fact]
    public void A_shard_with_five_percent_bad_images_skips_and_counts_exactly_those()
    {
        using var dir = new TempDirectory();
        var shards = WriteShards(dir, WriteManifest(dir, 100, Image), perShard: 100);
        var memberOf = shards.ReadAll().ToDictionary(r => r.Caption!, r => r.Origin);

        var loader = new ImageTextLoader(shards, Options(2));
        var batches = Epoch(loader);

        var good = Enumerable.Range(0, 100).Where(i => !Bad.ContainsKey(i)).Select(Caption).Order();
        Assert.Equal(good, batches.SelectMany(b => b).Select(s => s.Caption).Order());
        // Skipped slots are refilled: every batch but the last is full.
        Assert.Equal([16, 16, 16, 16, 16, 15], batches.Select(b => b.Count));
        var stats = loader.Statistics!;
        Assert.Equal(5, stats.SamplesSkipped);
        Assert.Equal(95, stats.SamplesLoaded);
        Assert.Equal(6, stats.Batches);
        Assert.Equal(5, stats.SkipReasons.Count);
        foreach (var i in Bad.Keys)
            Assert.Single(stats.SkipReasons, r => r.Contains(memberOf[Caption(i)]));
        Assert.True(stats.ImagesPerSecond > 0);

        // The refilling is part of the deterministic order.
        AssertSameBatches(batches, Epoch(new ImageTextLoader(shards, Options(1))));
    }

    [PillowFact]
    public void Bad_jpegs_among_good_pngs_and_jpegs_are_skipped_exactly()
    {
        using var dir = new TempDirectory();
        ImagePillow.Run("""
            import sys
            from PIL import Image, ImageDraw
            for i in range(40):
                im = Image.new("RGB", (48 + i % 5, 40), (i * 6, 90, 200 - i * 4))
                ImageDraw.Draw(im).ellipse([5, 5, 30 + i % 9, 33], fill=(250, 200 - i, i * 5))
                im.save(f"{sys.argv[1]}/{i:04d}.jpg", quality=85)
            """, dir.Path);
        var jpegs = Enumerable.Range(0, 40).Select(i => File.ReadAllBytes(dir.File($"{i:D4}.jpg"))).ToArray();
        var bad = new Dictionary<int, Func<byte[], byte[]>>
        {
            [5] = j => j[..(j.Length * 3 / 5)],                            // truncated
            [17] = _ => [],                                               // zero bytes
            [33] = j => [.. j[..2], .. Enumerable.Repeat((byte)0x11, 300), .. j[302..]],  // markers destroyed
        };
        var lines = new System.Text.StringBuilder("filepath\ttitle\n");
        for (var i = 0; i < 100; i++)
        {
            var name = i < 40 ? $"images/{i:D4}.jpg" : $"images/{i:D4}.png";
            dir.Write(name, i < 40 ? (bad.TryGetValue(i, out var spoil) ? spoil(jpegs[i]) : jpegs[i]) : Png(i));
            lines.Append($"{name}\t{Caption(i)}\n");
        }
        var shards = WriteShards(dir, dir.Write("manifest.tsv", lines.ToString()), perShard: 30);
        var loader = new ImageTextLoader(shards, Options(2));

        var captions = Epoch(loader).SelectMany(b => b).Select(s => s.Caption);

        Assert.Equal(Enumerable.Range(0, 100).Where(i => !bad.ContainsKey(i)).Select(Caption).Order(), captions.Order());
        Assert.Equal(3, loader.Statistics!.SamplesSkipped);
        Assert.Equal(97, loader.Statistics.SamplesLoaded);
        Assert.All(loader.Statistics.SkipReasons, r => Assert.Contains(".jpg", r));
    }

    [Fact]
    public void Missing_files_and_empty_captions_are_skipped_with_their_reason()
    {
        using var dir = new TempDirectory();
        var manifest = WriteManifest(dir, 30, caption: i => i switch { 4 => "", 9 => "   ", _ => Caption(i) });
        File.Delete(dir.File("images/0012.png"));
        var loader = new ImageTextLoader(ManifestSource.Open(manifest), Options(2));

        var loaded = Epoch(loader).SelectMany(b => b).Select(s => s.Key).ToList();

        Assert.Equal(27, loaded.Count);
        Assert.DoesNotContain("images/0004.png", loaded);
        Assert.DoesNotContain("images/0012.png", loaded);
        var reasons = loader.Statistics!.SkipReasons;
        Assert.Contains(reasons, r => r.Contains("images/0012.png") && r.Contains("does not exist"));
        Assert.Contains(reasons, r => r.StartsWith("images/0004.png") && r.Contains("empty caption") && r.Contains("line 6"));
        Assert.Contains(reasons, r => r.StartsWith("images/0009.png") && r.Contains("empty caption"));
    }

    [Fact]
    public void Too_many_skips_stop_the_run_with_a_report_naming_the_files()
    {
        using var dir = new TempDirectory();
        var shards = WriteShards(dir, WriteManifest(dir, 100, Image), perShard: 100);
        var loader = new ImageTextLoader(shards, new ImageTextLoaderOptions
        {
            BatchSize = 16, Workers = 2, ImageSize = 16, MaxSkipRate = 0.02, SkipRateMinSamples = 10, KeptSkipReasons = 3,
        });

        var e = Assert.Throws<SkipRateExceededException>(() => Epoch(loader));

        Assert.Equal(0.02, e.MaxSkipRate);
        Assert.True(e.Skipped > e.Tried * 0.02);
        Assert.InRange(e.Reasons.Count, 1, 3);
        Assert.All(e.Reasons, r => Assert.Contains("member", r));
        Assert.Contains("MaxSkipRate", e.Message);
        Assert.Contains(e.Reasons[0], e.Message);
        Assert.Equal(0, loader.ActiveWorkers);
    }

    [Fact]
    public void A_damaged_shard_costs_its_remaining_samples_and_is_reported()
    {
        using var dir = new TempDirectory();
        var shards = WriteShards(dir, WriteManifest(dir, 40), perShard: 20);
        var second = shards.Partitions[1];
        var bytes = File.ReadAllBytes(second);
        File.WriteAllBytes(second, bytes[..(bytes.Length / 2 + 100)]);
        var loader = new ImageTextLoader(WebDatasetSource.Open(shards.Pattern), Options(2).With(shuffle: false));

        var captions = Epoch(loader).SelectMany(b => b).Select(s => s.Caption).ToList();

        Assert.Equal(Enumerable.Range(0, 20).Select(Caption), captions.Take(20));
        Assert.InRange(captions.Count, 21, 39);
        Assert.Contains(loader.Statistics!.SkipReasons, r => r.Contains(second) && r.Contains("rest of the shard"));
    }
}
