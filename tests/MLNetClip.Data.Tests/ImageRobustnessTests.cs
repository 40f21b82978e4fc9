using System.Buffers.Binary;
using MLNetClip.Data.Images;
using MLNetClip.Torch;

namespace MLNetClip.Data.Tests;

/// <summary>
/// Bad input must end in an <see cref="ImageDecodeException"/> naming the source, never
/// in a native crash: empty, foreign, truncated, bit-flipped and oversized files.
/// </summary>
public sealed class ImageRobustnessTests : IDisposable
{
    private readonly ImageTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] SmallPng(int w = 24, int h = 16, int colorType = ImagePngWriter.Rgba) =>
        new ImagePngWriter
        {
            Width = w, Height = h, ColorType = colorType, BitDepth = 8,
            Samples = Enumerable.Range(0, w * h * (colorType == ImagePngWriter.Rgba ? 4 : 3)).Select(i => (ushort)(i * 37 % 256)).ToArray(),
        }.Encode();

    private byte[] SmallJpeg()
    {
        var png = _dir.File("src.png");
        var jpg = _dir.File("src.jpg");
        File.WriteAllBytes(png, ImagePreprocessTests.SyntheticPng(48, 40, 3));
        ImagePillow.Run("import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).save(sys.argv[2], quality=85)", png, jpg);
        return File.ReadAllBytes(jpg);
    }

    // Either decodes, or throws ImageDecodeException naming the source: nothing else.
    private static bool DecodesOrRefuses(byte[] data, string name)
    {
        try
        {
            ImageDecoder.Decode(data, name: name);
            return true;
        }
        catch (ImageDecodeException e)
        {
            Assert.Equal(name, e.SourceName);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            return false;
        }
    }

    [Fact]
    public void Empty_and_foreign_files_name_the_path()
    {
        var empty = _dir.File("empty.jpg");
        File.WriteAllBytes(empty, []);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(empty));
        Assert.StartsWith(empty + ": ", e.Message);
        Assert.Contains("empty", e.Reason);

        var gif = _dir.File("anim.gif");
        File.WriteAllBytes(gif, "GIF89a\x01\x00\x01\x00"u8.ToArray());
        Assert.Contains("GIF", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(gif)).Reason);
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Probe(gif));
    }

    [Fact]
    public void Every_truncation_of_a_png_is_refused()
    {
        var png = SmallPng();
        for (var n = 0; n < png.Length; n++)
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png.AsSpan(0, n), name: $"cut{n}.png"));
            Assert.Equal($"cut{n}.png", e.SourceName);
        }
        Assert.Contains("truncated", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png.AsSpan(0, png.Length - 30))).Reason);
    }

    [PillowFact]
    public void Truncated_jpegs_are_refused_unless_allowed()
    {
        var jpeg = SmallJpeg();
        for (var n = 0; n < jpeg.Length; n += 7)
            Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg.AsSpan(0, n), name: $"cut{n}.jpg"));
        var cut = jpeg[..(jpeg.Length * 3 / 4)];
        Assert.Contains("truncated", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(cut)).Reason);
        var lenient = ImageDecoder.Decode(cut, new ImageDecodeOptions { AllowTruncatedJpeg = true });
        Assert.Equal((48, 40), (lenient.Width, lenient.Height));
    }

    [PillowFact]
    public void A_failed_decode_does_not_disturb_the_next_one()
    {
        var jpeg = SmallJpeg();
        var expected = ImageDecoder.Decode(jpeg).Pixels;
        foreach (var n in new[] { 100, 170, 300, jpeg.Length * 3 / 4 })
        {
            // The first three cut the header itself, the last only the entropy-coded data.
            if (n <= 300) Assert.Throws<ImageDecodeException>(() => ImageDecoder.Probe(jpeg.AsSpan(0, n)));
            Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg.AsSpan(0, n)));
            Assert.Equal(expected, ImageDecoder.Decode(jpeg).Pixels);
        }
    }

    [Fact]
    public void Random_bytes_and_bit_flipped_pngs_never_crash()
    {
        var r = new Random(1234);
        var png = SmallPng();
        var decoded = 0;
        for (var i = 0; i < 300; i++)
        {
            var data = (byte[])png.Clone();
            if (i % 3 == 0)
            {
                // Pure noise, sometimes behind a valid signature.
                data = new byte[r.Next(1, 200)];
                r.NextBytes(data);
                if (i % 2 == 0 && data.Length > 8) png.AsSpan(0, 8).CopyTo(data);
            }
            else
            {
                for (var k = r.Next(1, 6); k > 0; k--) data[r.Next(8, data.Length)] ^= (byte)(1 << r.Next(8));
                if (i % 3 == 2) FixCrcs(data);  // get past the CRC check into zlib and the filters
            }
            if (DecodesOrRefuses(data, $"fuzz{i}.png")) decoded++;
        }
        Assert.True(decoded < 300);
    }

    [PillowFact]
    public void Bit_flipped_jpegs_never_crash_in_decode_or_preprocess()
    {
        var r = new Random(99);
        var jpeg = SmallJpeg();
        var pre = ImagePreprocessor.Evaluation(32);
        using var scope = DisposeScope.Begin();
        var batch = pre.NewBatch(1);
        for (var i = 0; i < 300; i++)
        {
            var data = (byte[])jpeg.Clone();
            for (var k = r.Next(1, 8); k > 0; k--) data[r.Next(2, data.Length)] = (byte)r.Next(256);
            DecodesOrRefuses(data, $"fuzz{i}.jpg");
            try { pre.WriteInto(batch, 0, data, name: $"fuzz{i}.jpg"); }
            catch (ImageDecodeException e) { Assert.Equal($"fuzz{i}.jpg", e.SourceName); }
        }
    }

    [Fact]
    public void A_png_header_claiming_400_megapixels_is_refused_before_decoding()
    {
        var png = SmallPng();
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 20000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 20000);
        FixCrcs(png);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, name: "bomb.png"));
        Assert.Contains("400.0 megapixels", e.Reason);
        Assert.Contains("MaxPixels", e.Reason);
        // The header itself is fine to read.
        Assert.Equal(20000, ImageDecoder.Probe(png).Width);
        using var scope = DisposeScope.Begin();
        var pre = ImagePreprocessor.Evaluation(32);
        Assert.Contains("megapixels", Assert.Throws<ImageDecodeException>(() => pre.WriteInto(pre.NewBatch(1), 0, png)).Reason);
    }

    [PillowFact]
    public void A_jpeg_header_claiming_a_huge_size_is_refused()
    {
        var jpeg = SmallJpeg();
        var sof = FindMarker(jpeg, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 60000);  // height
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 60000);  // width
        Assert.Contains("3600.0 megapixels", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(jpeg)).Reason);
    }

    [Fact]
    public void The_pixel_limit_is_configurable()
    {
        var png = SmallPng(100, 100, ImagePngWriter.Rgb);
        Assert.Contains("megapixels", Assert.Throws<ImageDecodeException>(() =>
            ImageDecoder.Decode(png, new ImageDecodeOptions { MaxPixels = 9_999 })).Reason);
        Assert.Equal(100, ImageDecoder.Decode(png, new ImageDecodeOptions { MaxPixels = 10_000 }).Width);
        Assert.Equal(100, ImageDecoder.Decode(png, new ImageDecodeOptions { MaxPixels = 0 }).Width);
    }

    private static int FindMarker(byte[] jpeg, byte marker)
    {
        for (var i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker) return i;
        throw new InvalidOperationException("marker not found");
    }

    // Recomputes every chunk CRC so a mutated chunk body reaches the decoder proper.
    private static void FixCrcs(byte[] png)
    {
        var at = 8;
        while (at + 12 <= png.Length)
        {
            var len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (len < 0 || at + 12 + len > png.Length) return;
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(at + 8 + len), ImagePngWriter.Crc32(png.AsSpan(at + 4, 4 + len)));
            at += 12 + len;
        }
    }
}
