using MLNetClip.Data.Images;
using MLNetClip.Data.Loading;
using MLNetClip.Torch;

namespace MLNetClip.Data.Tests;

/// <summary>
/// Covering views (A-CLIP's two online crops and a cover): the loader writes all three with their
/// boxes in one pass, each view is the crop its box names, and the cover holds both crops.
/// </summary>
public class LoadingViewTests
{
    [Fact]
    public void CoveringViews_TheCoverHoldsBothCrops_AndTheCropsFollowTheScaleRange()
    {
        var random = new Random(4);
        for (var i = 0; i < 2000; i++)
        {
            int w = 120 + i % 50, h = 100 + i % 37;
            var boxes = CoveringViews.Sample(w, h, 0.5, 1.0, 3.0 / 4, 4.0 / 3, random);
            var cover = boxes[2];
            Assert.InRange(cover.X, 0, w);
            Assert.InRange(cover.X + cover.Width, 0, w);
            Assert.InRange(cover.Y + cover.Height, 0, h);
            foreach (var crop in boxes[..2])
            {
                Assert.True(crop.X >= cover.X && crop.Y >= cover.Y && crop.X + crop.Width <= cover.X + cover.Width
                    && crop.Y + crop.Height <= cover.Y + cover.Height, $"{crop} is not inside {cover}");
                // Rounding the side lengths can take the area a little under the range on tiny images.
                Assert.InRange((double)crop.Width * crop.Height / (w * h), 0.47, 1.0);
            }
        }
    }

    [Fact]
    public void Loader_WritesThreeViewsAndTheirBoxes_EachViewTheCropOfItsBox()
    {
        using var dir = new TempDirectory();
        var manifest = LoadingTestData.WriteManifest(dir, 6);
        var preprocessing = new ImagePreprocessorOptions
        {
            Size = 12, Mode = ImagePreprocessMode.Training, MinScale = 0.5, CoveringViews = true, JitterOnlineViews = false,
        };
        var loader = new ImageTextLoader(MLNetClip.Data.Datasets.ManifestSource.Open(manifest),
            new ImageTextLoaderOptions { BatchSize = 4, Workers = 2, Preprocessing = preprocessing, Seed = 3 });
        var reference = new ImagePreprocessor(preprocessing);
        var batches = 0;
        foreach (var batch in loader.ReadEpoch(0))
        {
            using (batch)
            {
                batches++;
                Assert.NotNull(batch.Views);
                Assert.Equal([(long)batch.Count, 3, 3, 12, 12], batch.Views!.Shape);
                Assert.Equal([(long)batch.Count, 3, 4], batch.ViewBoxes!.Shape);
                Assert.Equal(batch.Views.Select(1, 2).ToArray<float>(), batch.Images.ToArray<float>());  // Images are the covers
                var boxes = batch.ViewBoxes.ToArray<float>();
                var views = batch.Views.ToArray<float>();
                for (var s = 0; s < batch.Count; s++)
                {
                    var number = int.Parse(batch.Captions[s].Split(' ')[2]);                 // "picture number {i} of …"
                    var image = ImageDecoder.Decode(LoadingTestData.Png(number));
                    for (var v = 0; v < 3; v++)
                    {
                        var f = boxes.AsSpan((s * 3 + v) * 4, 4);
                        var box = new CropBox((int)Math.Round(f[0] * image.Width), (int)Math.Round(f[1] * image.Height),
                            (int)Math.Round((f[2] - f[0]) * image.Width), (int)Math.Round((f[3] - f[1]) * image.Height));
                        using var expected = reference.NewBatch(1);
                        reference.WriteDecoded(expected, 0, image, box, flip: false);
                        var offset = (s * 3 + v) * 3 * 12 * 12;
                        Assert.Equal(expected.ToArray<float>(), views[offset..(offset + 3 * 12 * 12)]);
                    }
                    Assert.True(boxes[s * 12 + 8] <= Math.Min(boxes[s * 12], boxes[s * 12 + 4]) && boxes[s * 12 + 10] >= Math.Max(boxes[s * 12 + 2], boxes[s * 12 + 6]));
                }
            }
        }
        Assert.Equal(2, batches);
    }

    [Fact]
    public void ColourJitter_MatchesAHandComputation_AndGreyMakesTheChannelsEqual()
    {
        var identity = new ImageNormalization([0, 0, 0], [1, 1, 1]);
        // Two pixels, planes R, G, B: (0.5, 0.2, 0.1) and (0.1, 0.4, 0.9).
        float[] view = [0.5f, 0.1f, 0.2f, 0.4f, 0.1f, 0.9f];
        ColourJitter.Apply(view, 2, identity, new ColourJitter.Draw(1.2, 1, 1, false));  // brightness only: ×1.2
        Assert.Equal(new[] { 0.6f, 0.12f, 0.24f, 0.48f, 0.12f, 1.0f }, view.Select(v => MathF.Round(v, 5)));
        float[] grey = [0.5f, 0.1f, 0.2f, 0.4f, 0.1f, 0.9f];
        ColourJitter.Apply(grey, 2, identity, new ColourJitter.Draw(1, 1, 1, true));
        Assert.Equal(0.2989f * 0.5f + 0.587f * 0.2f + 0.114f * 0.1f, grey[0], 5);
        Assert.Equal(grey[0], grey[2]);
        Assert.Equal(grey[1], grey[5]);
        // Contrast 0.5 pulls each value half way to the image's mean grey (the two lumas' mean).
        float[] contrast = [0.5f, 0.1f, 0.2f, 0.4f, 0.1f, 0.9f];
        var mean = ((0.2989 * 0.5 + 0.587 * 0.2 + 0.114 * 0.1) + (0.2989 * 0.1 + 0.587 * 0.4 + 0.114 * 0.9)) / 2;
        ColourJitter.Apply(contrast, 2, identity, new ColourJitter.Draw(1, 0.5, 1, false));
        Assert.Equal(0.5 * 0.5 + 0.5 * mean, contrast[0], 5);
    }

    [Fact]
    public void WithJitter_TheCoversStayTheCrop_AndTheOnlineViewsChange()
    {
        using var dir = new TempDirectory();
        var manifest = LoadingTestData.WriteManifest(dir, 8);
        ImagePreprocessorOptions Options(bool jitter) => new()
        {
            Size = 12, Mode = ImagePreprocessMode.Training, MinScale = 0.5, CoveringViews = true, JitterOnlineViews = jitter,
        };
        float[] Views(bool jitter)
        {
            var loader = new ImageTextLoader(MLNetClip.Data.Datasets.ManifestSource.Open(manifest),
                new ImageTextLoaderOptions { BatchSize = 8, Workers = 1, Preprocessing = Options(jitter), Seed = 3 });
            using var batch = loader.ReadEpoch(0).Single();
            return batch.Views!.ToArray<float>();
        }
        var plain = Views(false);
        var jittered = Views(true);
        var perView = 3 * 12 * 12;
        var changed = 0;
        for (var s = 0; s < 8; s++)
        {
            var cover = (s * 3 + 2) * perView;
            Assert.Equal(plain[cover..(cover + perView)], jittered[cover..(cover + perView)]);
            for (var v = 0; v < 2; v++)
            {
                var at = (s * 3 + v) * perView;
                if (!plain.AsSpan(at, perView).SequenceEqual(jittered.AsSpan(at, perView))) changed++;
            }
        }
        Assert.True(changed >= 8, $"only {changed} of 16 online views were jittered (p ≈ 0.84 each)");
    }
}
