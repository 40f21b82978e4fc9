using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MLNetClip.Data.Tests;

/// <summary>
/// A small PNG encoder for tests, so every colour type, bit depth, palette, tRNS, filter
/// and Adam7 interlacing can be produced from known samples without committed files.
/// Samples are given unpacked, one ushort per channel, at the file's bit depth.
/// </summary>
internal sealed class ImagePngWriter
{
    public const int Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;

    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int ColorType { get; init; }
    public required int BitDepth { get; init; }

    /// <summary>Height × Width × channels samples (palette: one index per pixel).</summary>
    public required ushort[] Samples { get; init; }

    public byte[]? PaletteRgb { get; init; }

    /// <summary>Raw tRNS payload: palette alphas, or the gray / RGB key as 16-bit big-endian values.</summary>
    public byte[]? Transparency { get; init; }

    public bool Interlaced { get; init; }

    /// <summary>Split the compressed stream over this many IDAT chunks.</summary>
    public int IdatChunks { get; init; } = 1;

    public int Channels => ColorType switch { Gray or Palette => 1, GrayAlpha => 2, Rgb => 3, Rgba => 4, _ => throw new ArgumentException("colour type") };

    public static byte[] TransparentKey(params ushort[] key)
    {
        var b = new byte[key.Length * 2];
        for (var i = 0; i < key.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(i * 2), key[i]);
        return b;
    }

    public byte[] Encode()
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), Height);
        ihdr[8] = (byte)BitDepth;
        ihdr[9] = (byte)ColorType;
        ihdr[12] = (byte)(Interlaced ? 1 : 0);
        WriteChunk(png, "IHDR", ihdr);
        if (PaletteRgb is not null) WriteChunk(png, "PLTE", PaletteRgb);
        if (Transparency is not null) WriteChunk(png, "tRNS", Transparency);
        var compressed = Compress(Interlaced ? InterlacedScanlines() : Scanlines(0, 0, 1, 1));
        var per = (compressed.Length + IdatChunks - 1) / IdatChunks;
        for (var at = 0; at < compressed.Length; at += per)
            WriteChunk(png, "IDAT", compressed.AsSpan(at, Math.Min(per, compressed.Length - at)).ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    public static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> be = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(be, data.Length);
        s.Write(be);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(be, Crc32(typeAndData));
        s.Write(be);
    }

    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    private static byte[] Compress(byte[] raw)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return output.ToArray();
    }

    // Adam7: seven sub-images given by start and step in x and y, each filtered on its own.
    private byte[] InterlacedScanlines()
    {
        int[] x0 = [0, 4, 0, 2, 0, 1, 0], y0 = [0, 0, 4, 0, 2, 0, 1], dx = [8, 8, 4, 4, 2, 2, 1], dy = [8, 8, 8, 4, 4, 2, 2];
        var all = new List<byte>();
        for (var p = 0; p < 7; p++) all.AddRange(Scanlines(x0[p], y0[p], dx[p], dy[p]));
        return all.ToArray();
    }

    // The filtered rows of the sub-image {(x0 + i·dx, y0 + j·dy)}; row r uses filter r mod 5.
    private byte[] Scanlines(int x0, int y0, int dx, int dy)
    {
        var cols = x0 >= Width ? 0 : (Width - x0 + dx - 1) / dx;
        var rows = y0 >= Height ? 0 : (Height - y0 + dy - 1) / dy;
        if (cols == 0 || rows == 0) return [];
        var bpp = Math.Max(1, Channels * BitDepth / 8);  // filter byte distance
        var rowBytes = (cols * Channels * BitDepth + 7) / 8;
        var output = new List<byte>();
        var previous = new byte[rowBytes];
        for (var r = 0; r < rows; r++)
        {
            var line = PackRow(y0 + r * dy, x0, dx, cols, rowBytes);
            var filter = r % 5;
            output.Add((byte)filter);
            for (var i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? line[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                var predictor = filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, _ => Paeth(a, b, c) };
                output.Add((byte)(line[i] - predictor));
            }
            previous = line;
        }
        return output.ToArray();
    }

    private byte[] PackRow(int y, int x0, int dx, int cols, int rowBytes)
    {
        var line = new byte[rowBytes];
        var bit = 0;
        for (var i = 0; i < cols; i++)
        {
            var x = x0 + i * dx;
            for (var c = 0; c < Channels; c++)
            {
                var v = Samples[(y * Width + x) * Channels + c];
                if (BitDepth == 16)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(line.AsSpan(bit / 8), v);
                }
                else if (BitDepth == 8)
                {
                    line[bit / 8] = (byte)v;
                }
                else
                {
                    // Sub-byte samples pack from the most significant bit.
                    line[bit / 8] |= (byte)(v << (8 - BitDepth - bit % 8));
                }
                bit += BitDepth;
            }
        }
        return line;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
