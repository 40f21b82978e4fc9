using MLNetClip.Data.Images;
using MLNetClip.Torch;
using Xunit.Abstractions;

namespace MLNetClip.Data.Tests;

/// <summary>
/// Preprocessing against open_clip's pipeline (Pillow bicubic resize, centre crop or
/// crop-then-resize, ToTensor, Normalize) computed by Python in the same test run.
/// </summary>
// One test checks Tensor.LiveCount, which is process-wide, so this class runs alone
// (in the loader lifetime tests' non-parallel collection) rather than beside other classes.
[Collection(nameof(LoadingLifetimeTests))]
public sealed class ImagePreprocessTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly ImageTempDir _dir = new();

    public ImagePreprocessTests(ITestOutputHelper log) => _log = log;

    public void Dispose() => _dir.Dispose();

    // Smooth gradients, hard edges and noise, so resampling errors cannot hide.
    internal static byte[] SyntheticPng(int width, int height, int seed, bool noise = true)
    {
        var r = new Random(seed);
        var s = new ushort[width * height * 3];
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var i = (y * width + x) * 3;
            s[i] = (ushort)Math.Clamp(128 + 100 * Math.Sin(x / 9.0 + y / 23.0) + (noise ? r.Next(-20, 21) : 0), 0, 255);
            s[i + 1] = (ushort)(255 * x / Math.Max(width - 1, 1));
            s[i + 2] = (ushort)((x / 8 + y / 8) % 2 == 0 ? 230 : 20);
        }
        return new ImagePngWriter { Width = width, Height = height, ColorType = ImagePngWriter.Rgb, BitDepth = 8, Samples = s }.Encode();
    }

    private string WritePng(int width, int height, int seed, bool noise = true)
    {
        var path = _dir.File($"img_{width}x{height}_{seed}_{noise}.png");
        File.WriteAllBytes(path, SyntheticPng(width, height, seed, noise));
        return path;
    }

    // A photo-like 800x600 JPEG: blurred shapes over smooth shading, a little noise.
    private string WritePhotoJpeg()
    {
        var jpeg = _dir.File("photo.jpg");
        ImagePillow.Run("""
import sys
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
rng = np.random.RandomState(5)
y, x = np.mgrid[0:600, 0:800].astype(np.float32)
base = np.stack([128 + 90 * np.sin(x / 150 + y / 90 + p) for p in (0, 2, 4)], -1)
im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
d = ImageDraw.Draw(im)
for _ in range(15):
    cx, cy, r = rng.randint(0, 800), rng.randint(0, 600), rng.randint(20, 150)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=tuple(int(v) for v in rng.randint(0, 256, 3)), outline=(0, 0, 0), width=3)
a = np.asarray(im.filter(ImageFilter.GaussianBlur(1.2))).astype(np.float32) + rng.normal(0, 4, (600, 800, 3))
Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(sys.argv[1], quality=90)
""", jpeg);
        return jpeg;
    }

    private float[] Reference(int size, params string[] specs)
    {
        var output = _dir.File("reference.f32");
        ImagePillow.Run(ImageReferenceScripts.Preprocess, [output, size.ToString(), .. specs]);
        var bytes = File.ReadAllBytes(output);
        var floats = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
        return floats;
    }

    private static (double Max, double Mean) Diff(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0, sum = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = Math.Abs(expected[i] - actual[i]);
            max = Math.Max(max, d);
            sum += d;
        }
        return (max, sum / expected.Length);
    }

    [PillowFact]
    public void Evaluation_matches_open_clip_on_pngs()
    {
        // Landscape, portrait, odd crop margins (banker's rounding), square, and upscaling.
        string[] paths = [WritePng(333, 251, 1), WritePng(251, 333, 2), WritePng(300, 225, 3), WritePng(64, 64, 4), WritePng(97, 50, 5), WritePng(1000, 230, 6)];
        using var scope = DisposeScope.Begin();
        var batch = ImagePreprocessor.Evaluation(224).Batch(paths).ToArray<float>();
        var (max, mean) = Diff(Reference(224, paths), batch);
        _log.WriteLine($"evaluation vs Pillow: max abs diff {max:E2}, mean {mean:E2}");
        Assert.True(max < 1e-6, $"max abs difference {max}");
    }

    [PillowFact]
    public void Evaluation_of_jpegs_matches_open_clip_without_dct_scaling_and_stays_close_with_it()
    {
        var jpeg = WritePhotoJpeg();
        using var scope = DisposeScope.Begin();
        var reference = Reference(224, jpeg);
        var exact = new ImagePreprocessor(new ImagePreprocessorOptions { Decode = new ImageDecodeOptions { DctScaling = false } });
        var (max, _) = Diff(reference, exact.Batch([jpeg]).ToArray<float>());
        _log.WriteLine($"full-size decode vs Pillow: max abs diff {max:E2}");
        Assert.True(max < 1e-6, $"max abs difference {max}");

        // 800x600 decodes at 3/8 (300x225), where Pillow's draft() stops at 1/2: a coarser
        // reduction, so a somewhat larger but still small departure from the full pipeline.
        var (dmax, dmean) = Diff(reference, ImagePreprocessor.Evaluation(224).Batch([jpeg]).ToArray<float>());
        var (pmax, pmean) = Diff(reference, Reference(224, "draft!" + jpeg));
        _log.WriteLine($"vs the full-decode pipeline, normalised units: ours with DCT scaling max {dmax:F3} mean {dmean:F4}; " +
                       $"Pillow with draft() max {pmax:F3} mean {pmean:F4}");
        Assert.True(dmean < 0.05, $"mean abs difference {dmean}");
        Assert.True(dmean < 3 * pmean, $"mean abs difference {dmean} against Pillow draft's {pmean}");
    }

    [PillowFact]
    public void Training_crop_and_flip_match_crop_then_resize()
    {
        var path = WritePng(333, 251, 8);
        var bytes = File.ReadAllBytes(path);
        var pre = ImagePreprocessor.Training(96);
        (CropBox Crop, bool Flip)[] cases =
        [
            (new CropBox(0, 0, 333, 251), false), (new CropBox(10, 20, 300, 200), true),
            (new CropBox(100, 50, 40, 30), false), (new CropBox(332, 250, 1, 1), true), (new CropBox(5, 7, 250, 120), true),
        ];
        using var scope = DisposeScope.Begin();
        var batch = pre.NewBatch(cases.Length);
        for (var i = 0; i < cases.Length; i++) pre.WriteEncoded(batch, i, bytes, cases[i].Crop, cases[i].Flip, path);
        var specs = cases.Select(c => $"{path}:{c.Crop.X}:{c.Crop.Y}:{c.Crop.Width}:{c.Crop.Height}:{(c.Flip ? 1 : 0)}").ToArray();
        var (max, _) = Diff(Reference(96, specs), batch.ToArray<float>());
        _log.WriteLine($"training crops vs Pillow: max abs diff {max:E2}");
        Assert.True(max < 1e-6, $"max abs difference {max}");
    }

    [PillowFact]
    public void Training_crops_of_dct_reduced_jpegs_land_on_the_same_pixels()
    {
        // A 400x300 crop for a 96-pixel output lets the decoder work at 3/8, where the crop
        // edges fall between reduced pixels; the result must still show the crop's content.
        var jpeg = WritePhotoJpeg();
        var bytes = File.ReadAllBytes(jpeg);
        var pre = ImagePreprocessor.Training(96);
        var crop = new CropBox(130, 70, 400, 300);
        using var scope = DisposeScope.Begin();
        var batch = pre.NewBatch(1);
        pre.WriteEncoded(batch, 0, bytes, crop, false, jpeg);
        var reference = Reference(96, $"{jpeg}:130:70:400:300:0");
        var (max, mean) = Diff(reference, batch.ToArray<float>());
        _log.WriteLine($"3/8-reduced training crop vs Pillow full decode: max {max:F3}, mean {mean:F4}");
        Assert.True(mean < 0.05, $"mean abs difference {mean}");
        // A crop one reduced pixel (8/3 source pixels) off would differ clearly more.
        var shifted = Diff(Reference(96, $"{jpeg}:133:70:400:300:0"), batch.ToArray<float>()).Mean;
        Assert.True(shifted > 1.5 * mean, $"shifted crop differs by {shifted}, the right one by {mean}");
    }

    [Fact]
    public void Training_batches_are_reproducible_from_the_seed_alone()
    {
        string[] paths = [WritePng(120, 90, 1), WritePng(90, 120, 2), WritePng(200, 100, 3), WritePng(64, 64, 4)];
        var sequential = new ImagePreprocessor(new ImagePreprocessorOptions
        {
            Size = 48, Mode = ImagePreprocessMode.Training, MinScale = 0.08, HorizontalFlip = true,
        });
        var parallel = new ImagePreprocessor(new ImagePreprocessorOptions
        {
            Size = 48, Mode = ImagePreprocessMode.Training, MinScale = 0.08, HorizontalFlip = true, MaxDegreeOfParallelism = 4,
        });
        using var scope = DisposeScope.Begin();
        var a = sequential.Batch(paths, seed: 5).ToArray<float>();
        Assert.Equal(a, parallel.Batch(paths, seed: 5).ToArray<float>());
        Assert.NotEqual(a, sequential.Batch(paths, seed: 6).ToArray<float>());
    }

    [Fact]
    public void Decoded_pixels_and_encoded_bytes_give_the_same_result()
    {
        var png = SyntheticPng(150, 111, 9);
        var pre = ImagePreprocessor.Evaluation(64);
        using var scope = DisposeScope.Begin();
        var batch = pre.NewBatch(2);
        pre.WriteInto(batch, 0, png);
        pre.WriteInto(batch, 1, ImageDecoder.Decode(png));
        var values = batch.ToArray<float>();
        var half = values.Length / 2;
        Assert.Equal(values[..half], values[half..]);
    }

    [Fact]
    public void A_wrong_batch_tensor_or_failing_image_throws_and_leaks_nothing()
    {
        var pre = ImagePreprocessor.Evaluation(32);
        var png = SyntheticPng(40, 40, 1);
        var baseline = Tensor.LiveCount;
        using (var scope = DisposeScope.Begin())
        {
            var wrongShape = Tensor.Empty([2, 3, 16, 16]);
            Assert.Contains("shape", Assert.ThrowsAny<Exception>(() => pre.WriteInto(wrongShape, 0, png)).Message);
            var wrongType = Tensor.Empty([2, 3, 32, 32], ScalarType.Float64);
            Assert.Contains("float32", Assert.ThrowsAny<Exception>(() => pre.WriteInto(wrongType, 0, png)).Message);
            var ok = pre.NewBatch(2);
            Assert.Contains("index", Assert.ThrowsAny<Exception>(() => pre.WriteInto(ok, 2, png)).Message);
            var e = Assert.Throws<ImageDecodeException>(() => pre.Batch([png, png[..100]], names: ["good.png", "cut.png"]));
            Assert.Equal("cut.png", e.SourceName);
            Assert.Contains("truncated", e.Message);
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void Invalid_options_are_refused_when_the_preprocessor_is_built()
    {
        Assert.Contains("Size", Assert.Throws<ArgumentOutOfRangeException>(() => ImagePreprocessor.Evaluation(0)).Message);
        Assert.Contains("MinScale", Assert.Throws<ArgumentOutOfRangeException>(() => ImagePreprocessor.Training(224, 0.9, 0.5)).Message);
        Assert.Contains("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ImagePreprocessor.Evaluation(224, new ImageDecodeOptions { Alpha = AlphaHandling.Keep })).Message);
        Assert.Throws<ArgumentNullException>(() =>
        {
            using var scope = DisposeScope.Begin();
            var pre = ImagePreprocessor.Training(32);
            pre.WriteInto(pre.NewBatch(1), 0, SyntheticPng(40, 40, 1));
        });
    }
}
