using System.Security.Cryptography;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Shards;

namespace MLNetClip.Data.Tests;

/// <summary>Every source turned into shards and read back gives the same pairs, in the same order.</summary>
public class ShardsRoundTripTests
{
    [Fact]
    public void ManifestToShardsToReaderKeepsEveryPair()
    {
        using var dir = new TempDirectory();
        var manifest = WriteManifest(dir, 30);
        var source = ManifestSource.Open(manifest);

        var summary = ShardWriter.Write(source, dir.File("out"), "train", maxCount: 7);

        Assert.Equal(5, summary.Shards.Count); // 7+7+7+7+2
        Assert.Equal(30, summary.Written);
        Assert.Empty(summary.Skipped);
        Assert.Equal(dir.File("out/train-{000000..000004}.tar"), summary.Pattern);
        var back = WebDatasetSource.Open(summary.Pattern);
        Assert.Equal(summary.Shards, back.Partitions);
        AssertSamePairs(source.ReadAll(), back.ReadAll());
        Assert.Equal([7, 7, 7, 7, 2], Enumerable.Range(0, 5).Select(i => back.ReadPartition(i).Count()));
        Assert.Empty(Directory.EnumerateFiles(dir.File("out"), "*.partial"));
    }

    [Fact]
    public void FolderToShardsKeepsLabelsAndShardsToShardsIsTheIdentity()
    {
        using var dir = new TempDirectory();
        for (var i = 0; i < 9; i++) dir.Write($"classes/{(i % 3 == 0 ? "cat" : "dog")}/{i}.png", TestPng.Make(2, 2, i));
        var folder = ImageFolderSource.Open(dir.File("classes"));

        var first = ShardWriter.Write(folder, dir.File("a"), maxCount: 4);
        var shards = WebDatasetSource.Open(first.Pattern);
        AssertSamePairs(folder.ReadAll(), shards.ReadAll());
        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 1, 1], shards.ReadAll().Select(r => r.Label!.Value));

        var second = ShardWriter.Write(shards, dir.File("b"), maxCount: 4);
        AssertSamePairs(shards.ReadAll(), WebDatasetSource.Open(second.Pattern).ReadAll());
        // Same samples in, same bytes out: shard files are reproducible.
        Assert.Equal(first.Shards.Select(Hash), second.Shards.Select(Hash));
    }

    [Fact]
    public void MaxBytesStartsANewShardBeforeTheLimitIsCrossed()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(WriteManifest(dir, 12, imageBytes: 3000));
        var summary = ShardWriter.Write(source, dir.File("out"), maxCount: 100, maxBytes: 12_000);
        Assert.True(summary.Shards.Count > 1);
        Assert.All(summary.Shards, s => Assert.True(new FileInfo(s).Length <= 12_000 + 20 * 512, s));
        AssertSamePairs(source.ReadAll(), WebDatasetSource.Open(summary.Pattern).ReadAll());
    }

    [Fact]
    public void UnwritableSamplesAreListedNotFatal()
    {
        using var dir = new TempDirectory();
        dir.Write("ok.png", [1]);
        dir.Write("pic.bmp", [2]);
        var manifest = dir.Write("m.tsv", "filepath\ttitle\nok.png\tfine\nmissing.png\tgone\npic.bmp\tbitmap\n\tno path\n");
        var summary = ShardWriter.Write(ManifestSource.Open(manifest), dir.File("out"));
        Assert.Equal(1, summary.Written);
        Assert.Equal(3, summary.Skipped.Count);
        Assert.Contains(summary.Skipped, s => s.Contains("missing.png") && s.Contains("line 3"));
        Assert.Contains(summary.Skipped, s => s.Contains("'bmp'"));
        Assert.Contains(summary.Skipped, s => s.Contains("line 5") && s.Contains("no image"));
    }

    [FactWhenTool("tar")]
    public void GnuTarAcceptsEveryShard()
    {
        using var dir = new TempDirectory();
        var summary = ShardWriter.Write(ManifestSource.Open(WriteManifest(dir, 5)), dir.File("out"), maxCount: 2);
        foreach (var shard in summary.Shards)
        {
            var names = Tool.RunText("tar", "-tf", shard).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(names, n => Assert.Matches(@"^\d{9}\.(png|txt|json)$", n));
            Assert.Equal(0, names.Length % 3);
        }
    }

    /// <summary>A manifest of <paramref name="count"/> PNGs, where one image is listed twice with different captions.</summary>
    private static string WriteManifest(TempDirectory dir, int count, int imageBytes = 0)
    {
        var lines = new List<string> { "filepath\ttitle\tsplit" };
        for (var i = 0; i < count; i++)
        {
            var bytes = imageBytes > 0 ? Enumerable.Range(0, imageBytes).Select(b => (byte)(b + i)).ToArray() : TestPng.Make(3, 2, i);
            dir.Write($"img/{i:D3}.png", bytes);
            var image = i == count - 1 ? "img/000.png" : $"img/{i:D3}.png";
            lines.Add($"{image}\tcaption number {i}, \"quoted\"\t{(i % 2 == 0 ? "train" : "val")}");
        }
        return dir.Write("manifest.tsv", string.Join("\n", lines) + "\n");
    }

    private static void AssertSamePairs(IEnumerable<ImageTextRecord> expected, IEnumerable<ImageTextRecord> actual)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        Assert.Equal(e.Count, a.Count);
        for (var i = 0; i < e.Count; i++)
        {
            Assert.Equal(e[i].Caption, a[i].Caption);
            Assert.Equal(e[i].ReadImageBytes(), a[i].ReadImageBytes());
            Assert.Equal(e[i].ImageExtension, a[i].ImageExtension);
            Assert.Equal(e[i].Label, a[i].Label);
            foreach (var (k, v) in e[i].Metadata) Assert.Equal(v, a[i].Metadata[k]);
        }
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
