using System.Text.Json;
using MLNetClip.Data.Images;

namespace MLNetClip.Data.Tests;

/// <summary>
/// JPEG decoding against Pillow on files Pillow writes in the test. Pillow links the same
/// libjpeg-turbo, so full-size decodes must match exactly, and DCT-reduced decodes must
/// match Pillow's draft() at the same power-of-two scale exactly.
/// </summary>
public sealed class ImageJpegDecodeTests : IClassFixture<ImageJpegDecodeTests.JpegSet>
{
    private readonly JpegSet _set;

    public ImageJpegDecodeTests(JpegSet set) => _set = set;

    public sealed class JpegSet : IDisposable
    {
        public ImageTempDir Dir { get; } = new();

        public List<Case> Cases { get; } = [];

        public JpegSet()
        {
            if (ImagePillow.WhyUnavailable is not null) return;
            var json = ImagePillow.Run(ImageReferenceScripts.MakeJpegs, Dir.Path);
            Cases.AddRange(JsonSerializer.Deserialize<List<Case>>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!);
        }

        public Case Get(string name) => Cases.Single(c => c.Name == name);

        public string Jpeg(Case c) => Dir.File(c.Name + ".jpg");

        public byte[] Reference(Case c, string suffix) => File.ReadAllBytes(Dir.File(c.Name + "." + suffix));

        public void Dispose() => Dir.Dispose();
    }

    public sealed record Case(string Name, int Width, int Height, int[] Scaled, int[] Oriented);

    private static void AssertSame(byte[] expected, DecodedImage actual, int width, int height, string what)
    {
        Assert.Equal((width, height, 3), (actual.Width, actual.Height, actual.Channels));
        Assert.Equal(expected.Length, actual.Pixels.Length);
        var diff = 0;
        for (var i = 0; i < expected.Length; i++) diff = Math.Max(diff, Math.Abs(expected[i] - actual.Pixels[i]));
        Assert.True(diff == 0, $"{what}: max abs difference {diff} from Pillow");
    }

    [PillowFact]
    public void Full_size_decodes_equal_pillow_for_every_kind()
    {
        string[] kinds = ["q90_420", "q95_444", "q75_422", "progressive", "gray", "cmyk", "tiny1x1", "tiny7x5", "large"];
        foreach (var name in kinds)
        {
            var c = _set.Get(name);
            AssertSame(_set.Reference(c, "full"), ImageDecoder.Decode(_set.Jpeg(c)), c.Width, c.Height, name);
        }
    }

    [PillowFact]
    public void Dct_reduced_decodes_equal_pillow_draft()
    {
        var checkedScales = 0;
        foreach (var c in _set.Cases.Where(c => c.Name is "q90_420" or "q95_444" or "gray" or "cmyk" or "large"))
        {
            foreach (var s in c.Scaled)
            {
                // MinShortSide equal to the 1/s size makes k/8 = 1/s the smallest reduction that keeps it.
                var shortSide = Math.Min(c.Width, c.Height);
                var target = (shortSide + s - 1) / s;
                var image = ImageDecoder.Decode(_set.Jpeg(c), new ImageDecodeOptions { MinShortSide = target });
                AssertSame(_set.Reference(c, "s" + s), image, (c.Width + s - 1) / s, (c.Height + s - 1) / s, $"{c.Name} at 1/{s}");
                checkedScales++;
            }
        }
        Assert.True(checkedScales >= 12, $"only {checkedScales} scaled decodes were compared");
    }

    [PillowFact]
    public void Other_reductions_are_as_faithful_as_libjpegs_half_scale()
    {
        // 3/8 has no Pillow counterpart. Measure both reductions against a box-filtered full
        // decode of the same size: 3/8 must be about as close as 1/2 (checked exactly against
        // Pillow above). Chroma subsampling makes neither exact; a shifted, mirrored or
        // mis-scaled picture would be several times further off.
        var c = _set.Get("smooth");
        var image = ImageDecoder.Decode(_set.Jpeg(c), new ImageDecodeOptions { MinShortSide = 225 });
        Assert.Equal((300, 225), (image.Width, image.Height));
        var threeEighths = MeanAbs(_set.Reference(c, "box300"), image.Pixels);
        var half = MeanAbs(_set.Reference(c, "box400"), _set.Reference(c, "s2"));
        Assert.True(threeEighths < 1.5 * half, $"3/8 decode differs by {threeEighths:F2} on average, 1/2 by {half:F2}");
    }

    private static double MeanAbs(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
    }

    [PillowFact]
    public void Exif_orientation_is_ignored_by_default_and_applied_on_request()
    {
        for (var k = 1; k <= 8; k++)
        {
            var c = _set.Get($"exif{k}");
            var path = _set.Jpeg(c);
            Assert.Equal(k, ImageDecoder.Probe(path).ExifOrientation);
            AssertSame(_set.Reference(c, "full"), ImageDecoder.Decode(path), c.Width, c.Height, $"exif{k} unrotated");
            var oriented = ImageDecoder.Decode(path, new ImageDecodeOptions { ApplyExifOrientation = true });
            AssertSame(_set.Reference(c, "oriented"), oriented, c.Oriented[0], c.Oriented[1], $"exif{k} oriented");
        }
    }

    [PillowFact]
    public void Probe_reads_size_and_components()
    {
        var gray = ImageDecoder.Probe(_set.Jpeg(_set.Get("gray")));
        Assert.Equal(new ImageInfo(ImageFormat.Jpeg, 333, 251, 1, 8, 1), gray);
        Assert.Equal(4, ImageDecoder.Probe(_set.Jpeg(_set.Get("cmyk"))).Channels);
        Assert.Equal(3, ImageDecoder.Probe(_set.Jpeg(_set.Get("q90_420"))).Channels);
    }
}
