using MLNetClip.Data.Images;
using static MLNetClip.Data.Tests.ImagePngWriter;

namespace MLNetClip.Data.Tests;

/// <summary>
/// PNG decoding against the samples the file was written from: every colour type and bit
/// depth, palettes with tRNS, colour-key tRNS, 16-bit, Adam7 and all five row filters.
/// Expected values follow the PNG rules written out here, not the decoder's code.
/// </summary>
public sealed class ImagePngDecodeTests
{
    private const int W = 13, H = 7;  // odd sizes exercise partial bytes and Adam7's short passes

    private static ushort[] RandomSamples(int count, int bitDepth, int seed)
    {
        var r = new Random(seed);
        var max = (1 << bitDepth) - 1;
        var s = new ushort[count];
        for (var i = 0; i < s.Length; i++) s[i] = (ushort)r.Next(max + 1);
        // Make sure the extremes occur.
        s[0] = 0;
        s[1] = (ushort)max;
        return s;
    }

    // A d-bit sample at 8 bits: low depths scale by 255 / (2^d − 1); 16 bits round v / 257.
    private static byte To8(int v, int bitDepth) => bitDepth switch
    {
        16 => (byte)((v * 255 + 32767) / 65535),
        8 => (byte)v,
        _ => (byte)(v * 255 / ((1 << bitDepth) - 1)),
    };

    private static byte Over(byte c, byte a, byte bg) => (byte)Math.Round((c * a + bg * (255.0 - a)) / 255.0, MidpointRounding.AwayFromZero);

    private static void AssertPixels(byte[] expected, DecodedImage image, int channels)
    {
        Assert.Equal((W, H, channels), (image.Width, image.Height, image.Channels));
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != image.Pixels[i])
                Assert.Fail($"sample {i} (pixel {i / channels}, channel {i % channels}): expected {expected[i]}, got {image.Pixels[i]}");
        }
    }

    public static TheoryData<int, bool> GrayDepths() => new() { { 1, false }, { 2, false }, { 4, true }, { 8, false }, { 16, true }, { 1, true } };

    [Theory]
    [MemberData(nameof(GrayDepths))]
    public void Gray_at_every_depth_is_replicated_to_rgb(int depth, bool interlaced)
    {
        var s = RandomSamples(W * H, depth, depth);
        var png = new ImagePngWriter { Width = W, Height = H, ColorType = Gray, BitDepth = depth, Samples = s, Interlaced = interlaced }.Encode();
        var expected = s.SelectMany(v => Enumerable.Repeat(To8(v, depth), 3)).ToArray();
        AssertPixels(expected, ImageDecoder.Decode(png), 3);
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(16, false)]
    [InlineData(8, true)]
    public void Rgb_decodes_exactly(int depth, bool interlaced)
    {
        var s = RandomSamples(W * H * 3, depth, 100 + depth);
        var png = new ImagePngWriter { Width = W, Height = H, ColorType = Rgb, BitDepth = depth, Samples = s, Interlaced = interlaced, IdatChunks = 3 }.Encode();
        AssertPixels(s.Select(v => To8(v, depth)).ToArray(), ImageDecoder.Decode(png), 3);
    }

    [Theory]
    [InlineData(Rgba, 8)]
    [InlineData(Rgba, 16)]
    [InlineData(GrayAlpha, 8)]
    [InlineData(GrayAlpha, 16)]
    public void Alpha_is_composited_on_white_kept_or_discarded(int colorType, int depth)
    {
        var channels = colorType == Rgba ? 4 : 2;
        var s = RandomSamples(W * H * channels, depth, 200 + colorType + depth);
        var png = new ImagePngWriter { Width = W, Height = H, ColorType = colorType, BitDepth = depth, Samples = s }.Encode();
        var rgba = new byte[W * H * 4];
        for (var p = 0; p < W * H; p++)
        {
            for (var c = 0; c < 3; c++) rgba[p * 4 + c] = To8(s[p * channels + (channels == 4 ? c : 0)], depth);
            rgba[p * 4 + 3] = To8(s[p * channels + channels - 1], depth);
        }

        var white = new byte[W * H * 3];
        var teal = new byte[W * H * 3];
        var discarded = new byte[W * H * 3];
        byte[] tealRgb = [0x12, 0x80, 0x80];
        for (var p = 0; p < W * H; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                var (v, a) = (rgba[p * 4 + c], rgba[p * 4 + 3]);
                white[p * 3 + c] = Over(v, a, 255);
                teal[p * 3 + c] = Over(v, a, tealRgb[c]);
                discarded[p * 3 + c] = v;
            }
        }
        AssertPixels(white, ImageDecoder.Decode(png), 3);
        AssertPixels(teal, ImageDecoder.Decode(png, new ImageDecodeOptions { Background = 0x128080 }), 3);
        AssertPixels(discarded, ImageDecoder.Decode(png, new ImageDecodeOptions { Alpha = AlphaHandling.Discard }), 3);
        AssertPixels(rgba, ImageDecoder.Decode(png, new ImageDecodeOptions { Alpha = AlphaHandling.Keep }), 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Palette_with_trns_expands_and_composites(int depth)
    {
        var entries = 1 << depth;
        var r = new Random(depth);
        var palette = new byte[entries * 3];
        r.NextBytes(palette);
        // Fewer alphas than entries: the rest are opaque.
        var alphas = new byte[Math.Max(1, entries / 2)];
        r.NextBytes(alphas);
        alphas[0] = 0;
        var s = RandomSamples(W * H, depth, 300 + depth);
        var png = new ImagePngWriter
        {
            Width = W, Height = H, ColorType = Palette, BitDepth = depth, Samples = s, PaletteRgb = palette, Transparency = alphas,
        }.Encode();

        var kept = new byte[W * H * 4];
        var white = new byte[W * H * 3];
        for (var p = 0; p < W * H; p++)
        {
            var alpha = s[p] < alphas.Length ? alphas[s[p]] : (byte)255;
            for (var c = 0; c < 3; c++)
            {
                kept[p * 4 + c] = palette[s[p] * 3 + c];
                white[p * 3 + c] = Over(palette[s[p] * 3 + c], alpha, 255);
            }
            kept[p * 4 + 3] = alpha;
        }
        AssertPixels(white, ImageDecoder.Decode(png), 3);
        AssertPixels(kept, ImageDecoder.Decode(png, new ImageDecodeOptions { Alpha = AlphaHandling.Keep }), 4);
    }

    [Fact]
    public void Palette_without_trns_is_opaque_rgb()
    {
        var palette = Enumerable.Range(0, 16 * 3).Select(i => (byte)(i * 5)).ToArray();
        var s = RandomSamples(W * H, 4, 9);
        var png = new ImagePngWriter { Width = W, Height = H, ColorType = Palette, BitDepth = 4, Samples = s, PaletteRgb = palette }.Encode();
        var expected = s.SelectMany(i => palette.AsSpan(i * 3, 3).ToArray()).ToArray();
        AssertPixels(expected, ImageDecoder.Decode(png, new ImageDecodeOptions { Alpha = AlphaHandling.Keep }), 3);
    }

    [Theory]
    [InlineData(Gray, 2)]
    [InlineData(Gray, 16)]
    [InlineData(Rgb, 8)]
    [InlineData(Rgb, 16)]
    public void Colour_key_trns_makes_matching_pixels_transparent(int colorType, int depth)
    {
        var channels = colorType == Rgb ? 3 : 1;
        var s = RandomSamples(W * H * channels, depth, 400 + depth);
        var key = s.AsSpan(5 * channels, channels).ToArray();  // pixel 5's colour is the key
        var png = new ImagePngWriter
        {
            Width = W, Height = H, ColorType = colorType, BitDepth = depth, Samples = s, Transparency = TransparentKey(key),
        }.Encode();
        var kept = new byte[W * H * 4];
        var transparent = 0;
        for (var p = 0; p < W * H; p++)
        {
            var isKey = s.AsSpan(p * channels, channels).SequenceEqual(key);
            transparent += isKey ? 1 : 0;
            for (var c = 0; c < 3; c++) kept[p * 4 + c] = To8(s[p * channels + (channels == 3 ? c : 0)], depth);
            kept[p * 4 + 3] = isKey ? (byte)0 : (byte)255;
        }
        Assert.True(transparent >= 1);
        AssertPixels(kept, ImageDecoder.Decode(png, new ImageDecodeOptions { Alpha = AlphaHandling.Keep }), 4);
        var white = ImageDecoder.Decode(png);
        Assert.Equal([255, 255, 255], white.Pixels.AsSpan(5 * 3, 3).ToArray());
    }

    [Fact]
    public void Probe_reports_the_stored_layout()
    {
        var png = new ImagePngWriter { Width = W, Height = H, ColorType = GrayAlpha, BitDepth = 16, Samples = RandomSamples(W * H * 2, 16, 1) }.Encode();
        Assert.Equal(new ImageInfo(ImageFormat.Png, W, H, 2, 16, 1), ImageDecoder.Probe(png));
    }
}
