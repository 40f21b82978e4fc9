using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace MLNetClip.Data.Tests;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnetclip-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes bytes to a relative path, creating folders on the way.</summary>
    public string Write(string relative, byte[] bytes)
    {
        var full = File(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllBytes(full, bytes);
        return full;
    }

    public string Write(string relative, string text) => Write(relative, Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Runs a command-line tool and returns its exit code, standard output (as bytes) and standard error.</summary>
internal static class Tool
{
    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(dir => dir.Length > 0 && System.IO.File.Exists(System.IO.Path.Combine(dir, name)));

    public static (int Code, byte[] Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        byte[]? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }
        copy.Wait();
        process.WaitForExit();
        return (process.ExitCode, stdout.ToArray(), stderr.Result);
    }

    public static string RunText(string file, params string[] args)
    {
        var (code, stdout, stderr) = Run(file, args);
        Assert.True(code == 0, $"{file} {string.Join(" ", args)} failed ({code}): {stderr}");
        return Encoding.UTF8.GetString(stdout);
    }
}

/// <summary>A test that runs only where an external program is installed; elsewhere xunit reports it skipped with the reason.</summary>
internal sealed class FactWhenToolAttribute : FactAttribute
{
    public FactWhenToolAttribute(string tool)
    {
        if (!Tool.Exists(tool)) Skip = $"'{tool}' is not installed";
    }
}

/// <summary>
/// Tiny but valid PNG files (8-bit RGBA, stored with zlib), so test samples look like what real
/// shards carry. Each image's pixels derive from a seed, so different seeds give different bytes.
/// </summary>
internal static class TestPng
{
    public static byte[] Make(int width, int height, int seed)
    {
        var raw = new MemoryStream();
        var rng = new Random(seed);
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width * 4; x++) raw.WriteByte((byte)rng.Next(256));
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) raw.WriteTo(z);

        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, (uint)width);
        WriteBigEndian(ihdr, 4, (uint)height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // colour type RGBA
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var header = new byte[8];
        WriteBigEndian(header, 0, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, 0, 4, header, 4);
        s.Write(header);
        s.Write(data);
        var crcInput = header[4..].Concat(data).ToArray();
        var crc = new byte[4];
        WriteBigEndian(crc, 0, Crc32(crcInput));
        s.Write(crc);
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

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }
}

/// <summary>The theory counterpart of <see cref="FactWhenToolAttribute"/>.</summary>
internal sealed class TheoryWhenToolAttribute : TheoryAttribute
{
    public TheoryWhenToolAttribute(string tool)
    {
        if (!Tool.Exists(tool)) Skip = $"'{tool}' is not installed";
    }
}
