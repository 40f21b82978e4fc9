using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MLNetClip.Reports.Png;

/// <summary>
/// Writes 8-bit RGB or RGBA pixels as a PNG (no interlacing, one IDAT chunk). Each scanline gets
/// the filter whose output has the smallest sum of absolute values read as signed bytes, the usual
/// heuristic: it costs five passes over a row and roughly halves the size of smooth pictures.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10];

    private const int FilterCount = 5;  // None, Sub, Up, Average, Paeth (the PNG specification's order)

    /// <summary>Encodes interleaved samples, top row first: <paramref name="channels"/> is 3 (RGB) or 4 (RGBA).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"a PNG needs at least 1 x 1 pixels, got {width} x {height}");
        if (channels is not (3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 3 (RGB) or 4 (RGBA)");
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes do not hold {width} x {height} x {channels}", nameof(pixels));

        using var png = new MemoryStream();
        png.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;                              // bits per sample
        header[9] = (byte)(channels == 3 ? 2 : 6);  // colour type: truecolour, truecolour with alpha
        // header[10..12]: deflate, adaptive filtering, no interlace (all zero)
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", Deflate(FilterRows(pixels, width, height, channels)));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Encodes a picture.</summary>
    public static byte[] Encode(Pictures.RgbImage image) => Encode(image.Pixels, image.Width, image.Height, 3);

    /// <summary>The filtered image data: per row, a filter-type byte and the filtered row.</summary>
    private static byte[] FilterRows(ReadOnlySpan<byte> pixels, int width, int height, int bpp)
    {
        var stride = width * bpp;
        var output = new byte[(long)height * (stride + 1)];
        var candidates = new byte[FilterCount][];
        for (var f = 0; f < FilterCount; f++) candidates[f] = new byte[stride];
        var zeros = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * stride, stride);
            var above = y > 0 ? pixels.Slice((y - 1) * stride, stride) : zeros;
            var best = 0;
            var bestCost = long.MaxValue;
            for (var f = 0; f < FilterCount; f++)
            {
                Filter(f, row, above, bpp, candidates[f]);
                var cost = Cost(candidates[f]);
                if (cost < bestCost) (best, bestCost) = (f, cost);
            }
            var at = (long)y * (stride + 1);
            output[at] = (byte)best;
            candidates[best].CopyTo(output.AsSpan((int)(at + 1), stride));
        }
        return output;
    }

    // a = the sample bpp bytes to the left, b = the one above, c = above-left; missing neighbours are 0.
    private static void Filter(int type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, int bpp, Span<byte> output)
    {
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = above[i], c = i >= bpp ? above[i - bpp] : 0;
            var prediction = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - prediction);
        }
    }

    /// <summary>The neighbour closest to a + b − c, ties going to a, then b.</summary>
    internal static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static long Cost(ReadOnlySpan<byte> filtered)
    {
        long sum = 0;
        foreach (var v in filtered) sum += Math.Abs((int)(sbyte)v);
        return sum;
    }

    private static byte[] Deflate(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var z = new ZLibStream(packed, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(data);
        return packed.ToArray();
    }

    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Update(Crc32.Update(0, typeBytes), data));
        png.Write(word);
    }
}
