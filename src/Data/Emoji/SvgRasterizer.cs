using System.ComponentModel;
using System.Diagnostics;

namespace MLNetClip.Data.Emoji;

/// <summary>
/// Renders SVG to PNG with librsvg's <c>rsvg-convert</c> (Debian package librsvg2-bin), piping the
/// SVG in and the PNG out so nothing touches the disk. One process per image: librsvg has no
/// batch mode for PNG output, and a process costs tens of milliseconds, so callers run a few
/// in parallel.
/// </summary>
public static class SvgRasterizer
{
    public const string Program = "rsvg-convert";

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A <paramref name="size"/>×<paramref name="size"/> RGBA PNG of the SVG; <paramref name="name"/> labels errors.</summary>
    public static byte[] ToPng(byte[] svg, int size, string name)
    {
        var info = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--width", size.ToString(), "--height", size.ToString(), "--format", "png" })
            info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{Program} is needed to rasterise OpenMoji's SVGs and is not installed (Debian: apt-get install librsvg2-bin)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var png = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(png);
            process.StandardInput.BaseStream.Write(svg);
            process.StandardInput.Close();
            copy.Wait();
            process.WaitForExit();
            var bytes = png.ToArray();
            if (process.ExitCode != 0 || !bytes.AsSpan().StartsWith(PngSignature))
                throw new InvalidDataException(
                    $"{Program} could not render {name} (exit code {process.ExitCode}): {stderr.Result.Trim()}");
            return bytes;
        }
    }
}
