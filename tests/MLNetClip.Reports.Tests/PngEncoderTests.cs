using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MLNetClip.Data.Images;
using MLNetClip.Reports.Png;

namespace MLNetClip.Reports.Tests;

/// <summary>The PNG encoder against two independent decoders: our libpng path and Pillow.</summary>
public class PngEncoderTests
{
    /// <summary>Pictures that make every filter win somewhere: noise, smooth ramps, flat areas, stripes, odd sizes.</summary>
    public static IEnumerable<(string Name, int Width, int Height, int Channels, byte[] Pixels)> Pictures()
    {
        var random = new Random(7);
        foreach (var channels in new[] { 3, 4 })
        {
            yield return ("noise", 37, 23, channels, Fill(37, 23, channels, (x, y, c) => random.Next(256)));
            yield return ("ramp", 64, 48, channels, Fill(64, 48, channels, (x, y, c) => (x * 4 + y * 3 + c * 50) & 255));
            yield return ("diagonal", 40, 40, channels, Fill(40, 40, channels, (x, y, c) => ((x + y) * 6 + c) & 255));
            yield return ("vertical stripes", 33, 17, channels, Fill(33, 17, channels, (x, y, c) => x % 3 == 0 ? 250 : 10 + c));
            yield return ("one pixel", 1, 1, channels, Fill(1, 1, channels, (x, y, c) => 200 - c));
            yield return ("one column", 1, 50, channels, Fill(1, 50, channels, (x, y, c) => y * 5 + c));
            yield return ("one row", 50, 1, channels, Fill(50, 1, channels, (x, y, c) => x * 5 + c));
        }
    }

    private static byte[] Fill(int width, int height, int channels, Func<int, int, int, int> value)
    {
        var pixels = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < channels; c++)
                    pixels[(y * width + x) * channels + c] = (byte)value(x, y, c);
        return pixels;
    }

    [Fact]
    public void Every_picture_decodes_exactly_through_libpng()
    {
        foreach (var (name, width, height, channels, pixels) in Pictures())
        {
            var png = PngEncoder.Encode(pixels, width, height, channels);
            var decoded = ImageDecoder.Decode(png, new ImageDecodeOptions { Alpha = channels == 4 ? AlphaHandling.Keep : AlphaHandling.Composite }, name);
            Assert.Equal((width, height, channels), (decoded.Width, decoded.Height, decoded.Channels));
            Assert.True(pixels.AsSpan().SequenceEqual(decoded.Pixels), $"{name} ({channels} channels) differs after decoding");
        }
    }

    [PythonFact]
    public void Every_picture_decodes_exactly_through_Pillow()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetclip-png-");
        try
        {
            var expected = new StringBuilder();
            var i = 0;
            foreach (var (_, width, height, channels, pixels) in Pictures())
            {
                File.WriteAllBytes(Path.Combine(dir.FullName, $"{i++}.png"), PngEncoder.Encode(pixels, width, height, channels));
                expected.Append($"{(channels == 3 ? "RGB" : "RGBA")} {width} {height} {Convert.ToHexStringLower(SHA256.HashData(pixels))}\n");
            }
            var actual = Python.Run($$"""
                import hashlib, PIL.Image
                for i in range({{i}}):
                    im = PIL.Image.open("{{dir.FullName}}/%d.png" % i)
                    im.load()  # verifies every chunk CRC and the zlib stream
                    print(im.mode, im.width, im.height, hashlib.sha256(im.tobytes()).hexdigest())
                """);
            Assert.Equal(expected.ToString(), actual);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_fixtures_exercise_all_five_filters()
    {
        var used = new HashSet<byte>();
        foreach (var (_, width, height, channels, pixels) in Pictures())
        {
            var raw = Inflate(IdatData(PngEncoder.Encode(pixels, width, height, channels)));
            Assert.Equal(height * (1 + width * channels), raw.Length);
            for (var y = 0; y < height; y++) used.Add(raw[y * (1 + width * channels)]);
        }
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, used.Order());
    }

    [Fact]
    public void Chunks_carry_the_standard_crc32()
    {
        // The CRC-32 check value of the ASCII digits 1 to 9 (ISO-HDLC).
        Assert.Equal(0xCBF43926u, Crc32.Update(0, "123456789"u8));
        Assert.Equal(Crc32.Update(0, "123456789"u8), Crc32.Update(Crc32.Update(0, "1234"u8), "56789"u8));
    }

    [Theory]
    [InlineData(10, 20, 10, 20)]   // p = 20: b is exact
    [InlineData(20, 10, 10, 20)]   // p = 20: a is exact
    [InlineData(10, 10, 10, 10)]   // all tie: a
    [InlineData(50, 60, 100, 50)]  // p = 10: distances 40, 50, 90
    [InlineData(100, 0, 0, 100)]   // p = 100
    [InlineData(0, 5, 10, 0)]      // p = −5: distances 5, 10, 15
    [InlineData(7, 9, 8, 8)]       // p = 8: pa = pb = 1, pc = 0 → c
    [InlineData(0, 30, 10, 30)]    // p = 20: pa = 20, pb = pc = 10 → b wins the tie with c
    [InlineData(30, 0, 10, 30)]    // p = 20: pa = pc = 10, pb = 20 → a wins the tie with c
    [InlineData(9, 7, 7, 9)]       // p = 9: a exact
    [InlineData(3, 5, 1, 5)]       // p = 7: pa = 4, pb = 2, pc = 6 → b
    [InlineData(5, 3, 9, 3)]       // p = −1: pa = 6, pb = 4, pc = 10 → b
    [InlineData(5, 6, 2, 6)]       // p = 9: pa = 4, pb = 3, pc = 7 → b
    [InlineData(20, 10, 16, 16)]   // p = 14: pa = 6, pb = 4, pc = 2 → c
    public void Paeth_picks_the_closest_neighbour_with_the_specified_ties(int a, int b, int c, int expected) =>
        Assert.Equal(expected, PngEncoder.Paeth(a, b, c));

    [Fact]
    public void Bad_sizes_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(new byte[0], 0, 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(new byte[4], 1, 1, 2));
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[5], 1, 2, 3));
    }

    private static byte[] IdatData(byte[] png)
    {
        var data = new MemoryStream();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            if (type == "IDAT") data.Write(png, at + 8, length);
            at += 12 + length;
        }
        return data.ToArray();
    }

    private static byte[] Inflate(byte[] zlib)
    {
        using var input = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
