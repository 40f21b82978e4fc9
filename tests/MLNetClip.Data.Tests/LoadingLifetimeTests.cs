using MLNetClip.Data.Datasets;
using MLNetClip.Data.Loading;
using MLNetClip.Torch;
using static MLNetClip.Data.Tests.LoadingTestData;

namespace MLNetClip.Data.Tests;

/// <summary>Tensor counts are process-wide, so these run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(LoadingLifetimeTests), DisableParallelization = true)]
public class LoadingLifetimeCollection;

/// <summary>Stopping early, disposal, ownership and the statistics.</summary>
[Collection(nameof(LoadingLifetimeTests))]
public class LoadingLifetimeTests
{
    private static ImageTextLoaderOptions Options => new() { BatchSize = 4, Workers = 2, PrefetchBatches = 3, ImageSize = 16 };

    [Fact]
    public void Breaking_out_early_stops_the_workers_and_frees_every_tensor()
    {
        using var dir = new TempDirectory();
        var loader = new ImageTextLoader(ManifestSource.Open(WriteManifest(dir, 60)), Options);
        var baseline = Tensor.LiveCount;

        var seen = 0;
        foreach (var batch in loader.ReadEpoch(0))
        {
            using (batch) seen++;
            Assert.True(loader.ActiveWorkers is > 0 and <= 2);
            if (seen == 2) break;
        }

        Assert.Equal(0, loader.ActiveWorkers);
        Assert.Equal(baseline, Tensor.LiveCount);
        Assert.Equal(2, loader.Statistics!.Batches);
    }

    [Fact]
    public void A_consumer_that_throws_also_stops_the_workers()
    {
        using var dir = new TempDirectory();
        var loader = new ImageTextLoader(ManifestSource.Open(WriteManifest(dir, 60)), Options);
        var baseline = Tensor.LiveCount;

        Assert.Throws<InvalidTimeZoneException>(() =>
        {
            foreach (var batch in loader.ReadEpoch(1))
            {
                batch.Dispose();
                throw new InvalidTimeZoneException("consumer failed");
            }
        });

        Assert.Equal(0, loader.ActiveWorkers);
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void Batches_belong_to_the_consumer_and_outlive_the_pass()
    {
        using var dir = new TempDirectory();
        var loader = new ImageTextLoader(ManifestSource.Open(WriteManifest(dir, 10)), Options);
        var baseline = Tensor.LiveCount;

        var kept = loader.ReadEpoch(0).ToList();

        Assert.Equal(0, loader.ActiveWorkers);
        Assert.Equal([4, 4, 2], kept.Select(b => b.Count));
        Assert.Equal(baseline + 2 * kept.Count, Tensor.LiveCount);
        Assert.Equal([2L, 3, 16, 16], kept[2].Images.Shape);
        Assert.Equal([2L, 77], kept[2].TokenIds.Shape);
        Assert.Equal(ScalarType.Int64, kept[2].TokenIds.DType);
        foreach (var b in kept) b.Dispose();
        Assert.Equal(baseline, Tensor.LiveCount);
        var stats = loader.Statistics!;
        Assert.Equal(10, stats.SamplesLoaded);
        Assert.Equal(3, stats.Batches);
        Assert.True(stats.ConsumerWait <= stats.Elapsed);
    }

    [Fact]
    public void Drop_last_leaves_out_only_the_short_batch()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(WriteManifest(dir, 10));
        var dropping = new ImageTextLoader(source, new ImageTextLoaderOptions { BatchSize = 4, Workers = 1, ImageSize = 8, DropLast = true });
        var keeping = new ImageTextLoader(source, new ImageTextLoaderOptions { BatchSize = 4, Workers = 1, ImageSize = 8 });
        var baseline = Tensor.LiveCount;

        var dropped = Epoch(dropping);
        var kept = Epoch(keeping);

        Assert.Equal([4, 4], dropped.Select(b => b.Count));
        AssertSameBatches(dropped, kept.Take(2).ToList());
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void Bad_options_fail_at_construction_naming_the_option_and_its_range()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(WriteManifest(dir, 2));
        void Fails(string name, string range, ImageTextLoaderOptions o)
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageTextLoader(source, o));
            Assert.Equal(name, e.ParamName);
            Assert.Contains(range, e.Message);
        }
        Fails("BatchSize", "1 to 65536", new() { BatchSize = 0 });
        Fails("Workers", "1 to 64", new() { Workers = 0 });
        Fails("PrefetchBatches", "Workers (4) to 16", new() { Workers = 4, PrefetchBatches = 2 });
        Fails("Rank", "0 to WorldSize - 1 (1)", new() { Rank = 2, WorldSize = 2 });
        Fails("MaxSkipRate", "0 to 1", new() { MaxSkipRate = 1.5 });
        Fails("ImageSize", "1 to 8192", new() { ImageSize = 0 });
        Fails("ContextLength", "2 to", new() { ContextLength = 1 });
        Fails("Preprocessing", "MinScale", new() { Preprocessing = new() { Mode = Images.ImagePreprocessMode.Training, MinScale = 2 } });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageTextLoader(source).ReadEpoch(-1));
    }
}
