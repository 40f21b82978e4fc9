using System.Text;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Loading;
using MLNetClip.Data.Shards;

namespace MLNetClip.Data.Tests;

/// <summary>One sample as a test sees it after loading: everything the batch said about it, copied out.</summary>
internal sealed record LoadedSample(string Key, string Caption, long SampleId, float[] Pixels, long[] Ids)
{
    public bool SameContent(LoadedSample other) =>
        Key == other.Key && Caption == other.Caption && Pixels.AsSpan().SequenceEqual(other.Pixels) && Ids.AsSpan().SequenceEqual(other.Ids);
}

/// <summary>Generated image–caption data on disk, and a helper that drains a loader into plain arrays.</summary>
internal static class LoadingTestData
{
    public static string Caption(int i) => $"picture number {i} of a small test set";

    /// <summary>Noise PNGs (sizes vary with i, so resizing is exercised) and a manifest listing them.</summary>
    public static string WriteManifest(TempDirectory dir, int count, Func<int, byte[]>? image = null, Func<int, string>? caption = null)
    {
        var lines = new StringBuilder("filepath\ttitle\n");
        for (var i = 0; i < count; i++)
        {
            dir.Write($"images/{i:D4}.png", image?.Invoke(i) ?? Png(i));
            lines.Append($"images/{i:D4}.png\t{caption?.Invoke(i) ?? Caption(i)}\n");
        }
        return dir.Write("manifest.tsv", lines.ToString());
    }

    public static byte[] Png(int i) => TestPng.Make(20 + i % 7, 18 + i % 5, 1000 + i);

    /// <summary>Writes the manifest's samples into shards of <paramref name="perShard"/> and opens them.</summary>
    public static WebDatasetSource WriteShards(TempDirectory dir, string manifest, int perShard, string folder = "shards")
    {
        var summary = ShardWriter.Write(ManifestSource.Open(manifest), dir.File(folder), "part", maxCount: perShard);
        return WebDatasetSource.Open(summary.Pattern);
    }

    /// <summary>Reads one epoch, copying each sample out and disposing every batch.</summary>
    public static List<List<LoadedSample>> Epoch(ImageTextLoader loader, int epoch = 0)
    {
        var batches = new List<List<LoadedSample>>();
        foreach (var batch in loader.ReadEpoch(epoch))
        {
            using (batch)
            {
                Assert.Equal(epoch, batch.Epoch);
                Assert.Equal(batches.Count, batch.Index);
                var pixels = batch.Images.ToArray<float>();
                var ids = batch.TokenIds.ToArray<long>();
                var perImage = pixels.Length / batch.Count;
                var perRow = ids.Length / batch.Count;
                batches.Add(Enumerable.Range(0, batch.Count).Select(i => new LoadedSample(batch.Keys[i], batch.Captions[i],
                    batch.SampleIds[i], pixels[(i * perImage)..((i + 1) * perImage)], ids[(i * perRow)..((i + 1) * perRow)])).ToList());
            }
        }
        return batches;
    }

    public static void AssertSameBatches(List<List<LoadedSample>> expected, List<List<LoadedSample>> actual)
    {
        Assert.Equal(expected.Select(b => b.Count), actual.Select(b => b.Count));
        for (var b = 0; b < expected.Count; b++)
            for (var i = 0; i < expected[b].Count; i++)
                Assert.True(expected[b][i].SameContent(actual[b][i]),
                    $"batch {b} row {i}: expected {expected[b][i].Key} \"{expected[b][i].Caption}\", got {actual[b][i].Key} \"{actual[b][i].Caption}\" or other pixels/ids");
    }
}
