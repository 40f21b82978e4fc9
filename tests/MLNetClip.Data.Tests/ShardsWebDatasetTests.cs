using System.Text;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Shards;

namespace MLNetClip.Data.Tests;

public class ShardsWebDatasetTests
{
    [Fact]
    public void ConsecutiveMembersSharingAKeyFormOneSample()
    {
        using var dir = new TempDirectory();
        var shard = dir.File("s-000000.tar");
        using (var w = new TarWriter(File.Create(shard)))
        {
            w.WriteFile("d/a.jpg", [1, 1]);
            w.WriteFile("d/a.txt", Encoding.UTF8.GetBytes("first caption\n"));
            w.WriteFile("d/a.cls", "3"u8);
            w.WriteFile("d/b.PNG", [2]);
            w.WriteFile("d/b.json", """{"caption": "from json", "label": 5, "score": 0.5}"""u8);
            w.WriteFile("d/c.txt", "caption without image"u8);
            w.WriteFile("d/e.webp", [3]);
            w.WriteFile("d/e.seg.png", [9]); // a second extension: not the sample's image
            w.WriteFile("d/e.json", "{not json"u8);
            w.WriteFile("d/.hidden.txt", "ignored"u8);
        }

        var records = WebDatasetSource.Open(shard).ReadAll().ToList();

        Assert.Equal(["d/a", "d/b", "d/c", "d/e"], records.Select(r => r.Key));
        Assert.Equal(("jpg", "first caption", 3), (records[0].ImageExtension, records[0].Caption, records[0].Label));
        Assert.Equal(("png", "from json", 5), (records[1].ImageExtension, records[1].Caption, records[1].Label));
        Assert.Equal("0.5", records[1].Metadata["score"]);
        Assert.False(records[2].HasImage);
        Assert.Equal("caption without image", records[2].Caption);
        Assert.Equal([3], records[3].ReadImageBytes());
        Assert.Null(records[3].Caption);
        Assert.True(records[3].Metadata.ContainsKey("json_error"));
        Assert.Contains($"{shard} member d/a.jpg", records[0].Origin);
    }

    [Fact]
    public void MissingShardsAreReportedWhenOpening()
    {
        using var dir = new TempDirectory();
        using (var w = new TarWriter(File.Create(dir.File("s-000000.tar")))) w.WriteFile("a.txt", "x"u8);
        var ex = Assert.Throws<FileNotFoundException>(() => WebDatasetSource.Open(dir.File("s-{000000..000002}.tar")));
        Assert.Contains("2 of the 3 shards", ex.Message);
        Assert.Contains("s-000001.tar", ex.Message);
    }

    /// <summary>
    /// What the reader promises the loader: 5 of 100 images are garbage, cut short or empty,
    /// and every sample still arrives in order with exactly the bytes that were stored, so the
    /// loader's decode step is the one place that decides what to skip.
    /// </summary>
    [Fact]
    public void ShardWithFivePercentBadImagesYieldsEverySampleWithItsStoredBytes()
    {
        using var dir = new TempDirectory();
        var rng = new Random(3);
        var images = Enumerable.Range(0, 100).Select(i => TestPng.Make(4, 4, i)).ToArray();
        var bad = new Dictionary<int, string> { [7] = "garbage", [23] = "truncated", [41] = "empty", [64] = "truncated", [88] = "garbage" };
        foreach (var (i, kind) in bad)
            images[i] = kind switch
            {
                "garbage" => Enumerable.Range(0, 200).Select(_ => (byte)rng.Next(256)).ToArray(),
                "truncated" => images[i][..(images[i].Length / 2)],
                _ => [],
            };
        using (var w = new TarWriter(File.Create(dir.File("bad.tar"))))
            for (var i = 0; i < images.Length; i++)
            {
                w.WriteFile($"{i:D4}.png", images[i]);
                w.WriteFile($"{i:D4}.txt", Encoding.UTF8.GetBytes($"caption {i}"));
            }

        var records = WebDatasetSource.Open(dir.File("bad.tar")).ReadAll().ToList();

        Assert.Equal(100, records.Count);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(records[i].HasImage);
            Assert.Equal(images[i], records[i].ReadImageBytes());
            Assert.Equal($"caption {i}", records[i].Caption);
        }
        // The damaged ones are exactly those that no longer end with a PNG's IEND chunk.
        var notWholePng = Enumerable.Range(0, 100).Where(i => !EndsLikePng(records[i].ReadImageBytes())).ToArray();
        Assert.Equal(bad.Keys.Order(), notWholePng);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void ATruncatedShardYieldsItsWholeSamplesThenNamesTheCut(int pastHalf)
    {
        using var dir = new TempDirectory();
        var full = new MemoryStream();
        using (var w = new TarWriter(full, leaveOpen: true))
            for (var i = 0; i < 10; i++)
            {
                w.WriteFile($"{i:D4}.png", TestPng.Make(8, 8, i));
                w.WriteFile($"{i:D4}.txt", Encoding.UTF8.GetBytes($"c{i}"));
            }
        var bytes = full.ToArray();
        // Half the archive is a whole number of blocks, so that cut falls between two members;
        // 100 bytes further falls inside a member's header or data.
        var shard = dir.Write("cut.tar", bytes[..(bytes.Length / 2 + pastHalf)]);

        var seen = new List<string>();
        var ex = Assert.Throws<DatasetFormatException>(() =>
        {
            foreach (var r in WebDatasetSource.Open(shard).ReadAll()) seen.Add(r.Caption!);
        });
        Assert.Contains(shard, ex.Message);
        Assert.Contains(pastHalf == 0 ? "end-of-archive" : "the archive ends inside", ex.Message);
        Assert.NotEmpty(seen);
        Assert.Equal(Enumerable.Range(0, seen.Count).Select(i => $"c{i}"), seen);
    }

    [Fact]
    public void GzipCompressedShardsAreReadToo()
    {
        using var dir = new TempDirectory();
        var path = dir.File("s.tar.gz");
        using (var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
        using (var w = new TarWriter(gz, leaveOpen: true))
        {
            w.WriteFile("k.png", [5, 6]);
            w.WriteFile("k.txt", "zipped"u8);
        }
        var record = Assert.Single(WebDatasetSource.Open(path).ReadAll());
        Assert.Equal("zipped", record.Caption);
        Assert.Equal([5, 6], record.ReadImageBytes());
    }

    private static bool EndsLikePng(byte[] b) =>
        b.Length >= 20 && b[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })
                       && b[^8..^4].SequenceEqual("IEND"u8.ToArray());
}
