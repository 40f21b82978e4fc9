using MLNetClip.Data.Datasets;
using MLNetClip.Data.Images;
using MLNetClip.Data.Loading;
using MLNetClip.Data.Text;
using static MLNetClip.Data.Tests.LoadingTestData;

namespace MLNetClip.Data.Tests;

/// <summary>Order, content, reshuffling and rank sharding of the loader.</summary>
public class LoadingOrderTests
{
    private static ImageTextLoaderOptions Training(int workers, int seed = 7) => new()
    {
        BatchSize = 8, Workers = workers, PrefetchBatches = Math.Max(workers, 3), ImageSize = 16,
        Mode = ImagePreprocessMode.Training, Seed = seed, ContextLength = 16,
    };

    [Fact]
    public void Same_seed_gives_the_same_batches_whatever_the_worker_count()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(WriteManifest(dir, 70));

        var one = Epoch(new ImageTextLoader(source, Training(1)));
        var three = Epoch(new ImageTextLoader(source, Training(3)));
        var again = Epoch(new ImageTextLoader(source, Training(3)));

        AssertSameBatches(one, three);
        AssertSameBatches(three, again);
        Assert.Equal([8, 8, 8, 8, 8, 8, 8, 8, 6], one.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 70).Select(i => (long)i).Order(), one.SelectMany(b => b).Select(s => s.SampleId).Order());
        // A different seed is a different order.
        var other = Epoch(new ImageTextLoader(source, Training(2, seed: 8)));
        Assert.NotEqual(one.SelectMany(b => b).Select(s => s.Key), other.SelectMany(b => b).Select(s => s.Key));
    }

    [Fact]
    public void Each_row_matches_the_preprocessor_and_tokenizer_run_on_its_own()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(WriteManifest(dir, 20));
        var options = Training(2);
        var samples = Epoch(new ImageTextLoader(source, options), epoch: 3).SelectMany(b => b).ToList();

        var pre = ImagePreprocessor.Training(16);
        using var one = pre.NewBatch(1);
        foreach (var s in samples)
        {
            var record = source[(int)s.SampleId];
            Assert.Equal(record.Key, s.Key);
            Assert.Equal(record.Caption, s.Caption);
            // The documented seeding: a generator per (seed, epoch, sample id).
            pre.WriteInto(one, 0, File.ReadAllBytes(record.ImagePath!), SampleSeeds.Augmentation(options.Seed, 3, s.SampleId));
            Assert.Equal(one.ToArray<float>(), s.Pixels);
            Assert.Equal(ClipTokenizer.Default.EncodeRow(record.Caption!, 16), s.Ids);
        }
    }

    [Fact]
    public void Every_epoch_is_a_new_order_of_the_same_samples()
    {
        using var dir = new TempDirectory();
        var loader = new ImageTextLoader(ManifestSource.Open(WriteManifest(dir, 40)), Training(2));

        var e0 = Epoch(loader, 0).SelectMany(b => b).Select(s => s.Key).ToList();
        var e1 = Epoch(loader, 1).SelectMany(b => b).Select(s => s.Key).ToList();

        Assert.NotEqual(e0, e1);
        Assert.Equal(e0.Order(), e1.Order());
        Assert.Equal(40, e0.Distinct().Count());
        Assert.Equal(e0, Epoch(loader, 0).SelectMany(b => b).Select(s => s.Key));
    }

    [Fact]
    public void Shuffle_off_keeps_the_stored_order()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(WriteManifest(dir, 19));
        var keys = Epoch(new ImageTextLoader(source, Training(2).With(shuffle: false)), 5).SelectMany(b => b).Select(s => s.Key);
        Assert.Equal(source.Select(r => r.Key), keys);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Manifest_ranks_get_disjoint_shares_that_cover_the_data(int worldSize)
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(WriteManifest(dir, 50));

        var shares = Enumerable.Range(0, worldSize).Select(rank =>
            Epoch(new ImageTextLoader(source, Training(2).With(rank: rank, worldSize: worldSize)), 2)
                .SelectMany(b => b).Select(s => s.Key).ToList()).ToList();

        Assert.Equal(source.Select(r => r.Key).Order(), shares.SelectMany(s => s).Order());
        Assert.True(shares.Max(s => s.Count) - shares.Min(s => s.Count) <= 1);
    }

    [Fact]
    public void Shard_ranks_get_whole_disjoint_shards_that_cover_the_data()
    {
        using var dir = new TempDirectory();
        var shards = WriteShards(dir, WriteManifest(dir, 60), perShard: 10);
        var shardOf = Enumerable.Range(0, 6).SelectMany(p => shards.ReadPartition(p).Select(r => (r.Caption!, p))).ToDictionary();

        foreach (var epoch in new[] { 0, 1 })
        {
            var shares = Enumerable.Range(0, 3).Select(rank =>
                Epoch(new ImageTextLoader(shards, Training(2).With(rank: rank, worldSize: 3)), epoch)
                    .SelectMany(b => b).Select(s => s.Caption).ToList()).ToList();

            Assert.Equal(Enumerable.Range(0, 60).Select(Caption).Order(), shares.SelectMany(s => s).Order());
            foreach (var share in shares)
            {
                var whole = share.Select(c => shardOf[c]).Distinct().ToList();
                Assert.Equal(2, whole.Count);
                Assert.Equal(20, share.Count);
            }
        }
        var error = Assert.Throws<InvalidOperationException>(() => new ImageTextLoader(shards, Training(1).With(rank: 0, worldSize: 7)));
        Assert.Contains("6 partition", error.Message);
    }

    [Fact]
    public void Manifest_to_shards_to_loader_gives_the_same_pairs_as_the_manifest()
    {
        using var dir = new TempDirectory();
        var manifest = WriteManifest(dir, 45);
        var options = new ImageTextLoaderOptions { BatchSize = 8, Workers = 2, ImageSize = 24, Shuffle = false };

        var direct = Epoch(new ImageTextLoader(ManifestSource.Open(manifest), options));
        var viaShards = Epoch(new ImageTextLoader(WriteShards(dir, manifest, perShard: 7), options));

        Assert.Equal(45, direct.Sum(b => b.Count));
        AssertSameBatches(direct, Rekey(viaShards, direct));
        // Shuffled, the shards still give every pair once with the same pixels.
        var shuffled = Epoch(new ImageTextLoader(WriteShards(dir, manifest, perShard: 7, "again"), options.With(shuffle: true)), 1)
            .SelectMany(b => b).ToDictionary(s => s.Caption);
        foreach (var s in direct.SelectMany(b => b)) Assert.Equal(s.Pixels, shuffled[s.Caption].Pixels);
    }

    // Shard keys are sequence numbers, manifest keys are paths: compare everything else.
    private static List<List<LoadedSample>> Rekey(List<List<LoadedSample>> shards, List<List<LoadedSample>> manifest) =>
        shards.Select((b, bi) => b.Select((s, i) => s with { Key = manifest[bi][i].Key }).ToList()).ToList();
}

internal static class LoaderOptionsTestExtensions
{
    public static ImageTextLoaderOptions With(this ImageTextLoaderOptions o, int? rank = null, int? worldSize = null, bool? shuffle = null) => new()
    {
        BatchSize = o.BatchSize, Workers = o.Workers, PrefetchBatches = o.PrefetchBatches, ImageSize = o.ImageSize, Mode = o.Mode,
        ContextLength = o.ContextLength, Seed = o.Seed, Shuffle = shuffle ?? o.Shuffle, ShuffleBuffer = o.ShuffleBuffer,
        DropLast = o.DropLast, Rank = rank ?? o.Rank, WorldSize = worldSize ?? o.WorldSize, MaxSkipRate = o.MaxSkipRate,
        SkipRateMinSamples = o.SkipRateMinSamples, KeptSkipReasons = o.KeptSkipReasons,
    };
}
