using System.Diagnostics;

namespace MLNetClip.Reports.Tests;

/// <summary>
/// Reference computations in Debian's python3 with torch, numpy and Pillow (python3-torch and
/// python3-pil, which scripts/setup.sh installs). Input on standard input, the answer on standard output.
/// </summary>
internal static class Python
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public static string Executable => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Null when python3 with torch, numpy and PIL runs; otherwise why not.</summary>
    public static string? WhyUnavailable => Missing.Value;

    public static string Run(string script, string stdin = "")
    {
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"python reference failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    private static string? Probe()
    {
        try
        {
            Run("import torch, numpy, PIL.Image");
            return null;
        }
        catch (Exception e)
        {
            return $"python3 with torch, numpy and Pillow is not available (install python3-torch python3-pil): {e.Message}";
        }
    }
}

/// <summary>A fact that needs the Python reference; skipped, saying why, when it is missing.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (Python.WhyUnavailable is { } why) Skip = why;
    }
}
