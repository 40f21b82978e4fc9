using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace MLNetClip.Bench;

/// <summary>What a worker measured over one "run N" request: seconds per step and memory.</summary>
internal sealed record StepTiming(double Wall, double Cpu, long PeakRss, double MinorFaults, IReadOnlyDictionary<string, double> Loss);

/// <summary>
/// A benchmark worker in a child process, spoken to one line at a time: a request on stdin, one
/// JSON object back on stdout (see <see cref="TrainBenchWorker"/> for the protocol). Its stderr is
/// kept to explain a failure.
/// </summary>
internal sealed class BenchWorker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private BenchWorker(string name, ProcessStartInfo info)
    {
        Name = name;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"{name}: the process did not start");
        _process.ErrorDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        Ready = Read();
    }

    public string Name { get; }

    /// <summary>The worker's first message, sent once it has built everything.</summary>
    public JsonElement Ready { get; }

    /// <summary>This benchmark program again, as the train-worker command (under dotnet, as an apphost, or inside the device runner).</summary>
    public static BenchWorker StartSelf(string name, IEnumerable<string> args, string command = "train-worker")
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("the running executable is unknown");
        var info = new ProcessStartInfo(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        if (Assembly.GetEntryAssembly()?.GetName().Name != "MLNetClip.Bench") info.ArgumentList.Add("bench");
        info.ArgumentList.Add(command);
        foreach (var a in args) info.ArgumentList.Add(a);
        return new BenchWorker(name, info);
    }

    /// <summary>A script from bench/python on the interpreter that owns python3-torch.</summary>
    public static BenchWorker StartPython(string name, string script, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(BenchUtil.Python);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", script));
        foreach (var a in args) info.ArgumentList.Add(a);
        return new BenchWorker(name, info);
    }

    public StepTiming Run(int steps)
    {
        _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {steps}"));
        _process.StandardInput.Flush();
        var reply = Read();
        return new StepTiming(
            reply.GetProperty("wall").GetDouble(),
            reply.GetProperty("cpu").GetDouble(),
            reply.GetProperty("peak_rss").GetInt64(),
            reply.GetProperty("minor_faults").GetDouble(),
            reply.GetProperty("loss").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()));
    }

    private JsonElement Read()
    {
        var line = _process.StandardOutput.ReadLine();
        if (line is null)
        {
            _process.WaitForExit();
            string err;
            lock (_stderr) err = _stderr.ToString().Trim();
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}: {err}");
        }
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Flush();
            }
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill(entireProcessTree: true);
        }
        catch (IOException)
        {
            // The worker already went away; nothing left to stop.
        }
        _process.Dispose();
    }
}
