using MLNetClip.Data.Datasets;
using MLNetClip.Data.Images;
using MLNetClip.Data.Loading;
using static MLNetClip.Data.Tests.LoadingTestData;

namespace MLNetClip.Data.Tests;

/// <summary>ReadEpoch's start batch: a resumed pass continues exactly where a full pass would be.</summary>
public class LoadingResumeTests
{
    private static ImageTextLoaderOptions Options() => new()
    {
        BatchSize = 6, Workers = 2, PrefetchBatches = 4, ImageSize = 12, Mode = ImagePreprocessMode.Training,
        Seed = 5, ContextLength = 12, SkipRateMinSamples = 1000,
    };

    private static List<List<LoadedSample>> From(ImageTextLoader loader, int epoch, int start)
    {
        var batches = new List<List<LoadedSample>>();
        foreach (var batch in loader.ReadEpoch(epoch, start))
        {
            using (batch)
            {
                Assert.Equal(start + batches.Count, batch.Index);
                var pixels = batch.Images.ToArray<float>();
                var per = pixels.Length / batch.Count;
                batches.Add(Enumerable.Range(0, batch.Count).Select(i => new LoadedSample(batch.Keys[i], batch.Captions[i],
                    batch.SampleIds[i], pixels[(i * per)..((i + 1) * per)], [])).ToList());
            }
        }
        return batches;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    public void Starting_at_batch_k_yields_the_full_pass_from_k_on_even_with_bad_images(int start)
    {
        using var dir = new TempDirectory();
        // Two unreadable images early on move later samples into earlier slots; the resumed pass must agree.
        var source = ManifestSource.Open(WriteManifest(dir, 61, i => i is 4 or 13 ? [1, 2, 3] : Png(i)));
        var loader = new ImageTextLoader(source, Options());

        var full = From(loader, epoch: 2, start: 0);
        var resumed = From(loader, epoch: 2, start: start);

        Assert.Equal(10, full.Count);  // 59 good samples: 9 full batches and one of 5
        Assert.Equal(full.Count - start, resumed.Count);
        for (var b = 0; b < resumed.Count; b++)
        {
            Assert.Equal(full[start + b].Select(s => s.SampleId), resumed[b].Select(s => s.SampleId));
            Assert.All(full[start + b].Zip(resumed[b]), p => Assert.True(p.First.SameContent(p.Second)));
        }
    }

    [Fact]
    public void A_start_past_the_end_yields_nothing_and_a_negative_one_is_refused()
    {
        using var dir = new TempDirectory();
        var loader = new ImageTextLoader(ManifestSource.Open(WriteManifest(dir, 10)), Options());
        Assert.Empty(From(loader, epoch: 0, start: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.ReadEpoch(0, -1));
    }
}
