using System.Diagnostics;

namespace MLNetClip.Data.Tests;

/// <summary>
/// Runs reference computations in Debian's Python with Pillow and numpy (python3-pil,
/// python3-numpy; scripts/setup.sh installs both). Pillow links the same libjpeg-turbo, so
/// its decodes are the reference for ours, and its resize is the one open_clip uses.
/// </summary>
internal static class ImagePillow
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Null when Python with Pillow and numpy runs; otherwise why not.</summary>
    public static string? WhyUnavailable => Missing.Value;

    /// <summary>Runs <paramref name="script"/> with arguments and returns its standard output.</summary>
    public static string Run(string script, params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"python reference failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }

    private static string? Probe()
    {
        try
        {
            Run("import PIL, numpy");
            return null;
        }
        catch (Exception e)
        {
            return $"python3 with Pillow and numpy is not available (install python3-pil python3-numpy): {e.Message}";
        }
    }
}

/// <summary>A fact that needs the Pillow reference; skipped, saying why, when it is missing.</summary>
public sealed class PillowFactAttribute : FactAttribute
{
    public PillowFactAttribute()
    {
        if (ImagePillow.WhyUnavailable is { } why) Skip = why;
    }
}

/// <summary>A scratch folder deleted on dispose.</summary>
public sealed class ImageTempDir : IDisposable
{
    public ImageTempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnetclip-img-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
