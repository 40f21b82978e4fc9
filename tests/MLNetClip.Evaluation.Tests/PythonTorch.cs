using System.Diagnostics;

namespace MLNetClip.Evaluation.Tests;

/// <summary>
/// Runs reference computations in Debian's python3 with torch and numpy (python3-torch, which
/// scripts/setup.sh installs). Input goes in on standard input, the answer comes back on standard output.
/// </summary>
internal static class PythonTorch
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Null when python3 with torch and numpy runs; otherwise why not.</summary>
    public static string? WhyUnavailable => Missing.Value;

    public static string Run(string script, string stdin = "")
    {
        var psi = new ProcessStartInfo(Python)
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
            Run("import torch, numpy");
            return null;
        }
        catch (Exception e)
        {
            return $"python3 with torch and numpy is not available (install python3-torch): {e.Message}";
        }
    }
}

/// <summary>A fact that needs the PyTorch reference; skipped, saying why, when it is missing.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (PythonTorch.WhyUnavailable is { } why) Skip = why;
    }
}
