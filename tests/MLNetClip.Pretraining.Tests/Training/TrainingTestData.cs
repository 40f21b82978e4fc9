using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnetclip-train-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>
/// Small synthetic image–caption sets written as PNGs plus a manifest (filepath, title, split),
/// so training tests need no downloaded data. Image i is a two-colour pattern fixed by i;
/// captions vary in length so text trimming has something to cut.
/// </summary>
internal static class TrainingTestData
{
    private static readonly string[] Colors = ["red", "green", "blue", "yellow", "purple", "orange", "black", "white"];
    private static readonly string[] Shapes = ["square", "circle", "stripe", "cross"];

    public static string Caption(int i) => (i % 3) switch
    {
        0 => $"a {Colors[i % 8]} {Shapes[i / 8 % 4]}",
        1 => $"a picture of a {Colors[i % 8]} {Shapes[i / 8 % 4]} on a {Colors[(i + 3) % 8]} background, number {i}",
        _ => $"{Colors[i % 8]} {Shapes[i / 8 % 4]} {i}",
    };

    /// <summary>Writes <paramref name="count"/> PNGs and DIR/manifest.tsv; rows with i % 4 == 3 are in split "test".</summary>
    public static string WriteManifest(string dir, int count, int size = 32)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(dir, "images"));
        var lines = new StringBuilder("filepath\ttitle\tsplit\n");
        for (var i = 0; i < count; i++)
        {
            var name = $"images/{i:D4}.png";
            File.WriteAllBytes(System.IO.Path.Combine(dir, name), Png(size, size, Pixels(i, size)));
            lines.Append($"{name}\t{Caption(i)}\t{(i % 4 == 3 ? "test" : "train")}\n");
        }
        var path = System.IO.Path.Combine(dir, "manifest.tsv");
        File.WriteAllText(path, lines.ToString());
        return path;
    }

    private static byte[] Pixels(int i, int size)
    {
        var rgb = new byte[size * size * 3];
        var rng = new Random(i);
        byte[] fg = [(byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)];
        byte[] bg = [(byte)(255 - fg[0]), (byte)(255 - fg[1]), (byte)(255 - fg[2])];
        var shape = i / 8 % 4;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                int dx = x - size / 2, dy = y - size / 2;
                var inside = shape switch
                {
                    0 => Math.Abs(dx) < size / 4 && Math.Abs(dy) < size / 4,
                    1 => dx * dx + dy * dy < size * size / 10,
                    2 => (x / 4 + i) % 2 == 0,
                    _ => Math.Abs(dx) < 3 || Math.Abs(dy) < 3,
                };
                var c = inside ? fg : bg;
                c.CopyTo(rgb, (y * size + x) * 3);
            }
        return rgb;
    }

    /// <summary>An 8-bit RGB PNG, no interlacing, every scanline with filter 0.</summary>
    public static byte[] Png(int width, int height, byte[] rgb)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // RGB
        Chunk(png, "IHDR", header);
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0);
            raw.Write(rgb, y * width * 3, width * 3);
        }
        var packed = new MemoryStream();
        using (var z = new ZLibStream(packed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw.ToArray());
        Chunk(png, "IDAT", packed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(body));
        png.Write(word);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
