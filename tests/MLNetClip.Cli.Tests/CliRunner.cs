using System.CommandLine;
using System.Diagnostics;
using MLNetClip.Cli;

namespace MLNetClip.Cli.Tests;

/// <summary>Runs mlnetclip in-process (Console swapped for buffers) or as a child process of its own.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args) => Run(CliApp.Build(), args);

    public static (int Exit, string Out, string Err) Run(RootCommand root, string[] args, CancellationToken cancel = default)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exit = CliApp.RunAsync(root, args, cancel).GetAwaiter().GetResult();
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    /// <summary>`dotnet DLL ARGS` with the given working folder and environment changes (null removes a variable).</summary>
    public static (int Exit, string Out, string Err) RunChild(string dll, string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment)
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mlnetclip {string.Join(' ', args)} did not finish in 2 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The dotnet host running these tests (the test host is started by it), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk)) return fromSdk;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
