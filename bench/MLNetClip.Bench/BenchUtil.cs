using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MLNetClip.Bench;

/// <summary>Shared plumbing: best-of-N timing and running the Python reference in the same run.</summary>
internal static class BenchUtil
{
    /// <summary>The interpreter that owns Debian's python3-torch (the same libtorch 1.13 we link).</summary>
    public static string Python => Environment.GetEnvironmentVariable("MLNETCLIP_BENCH_PYTHON") ?? (File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

    /// <summary>Runs <paramref name="body"/> <paramref name="reps"/> times and returns the fastest, in seconds.</summary>
    public static double BestOf(int reps, Action body)
    {
        var best = double.MaxValue;
        for (var r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            body();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>
    /// Like <see cref="BestOf"/> but in CPU seconds of the calling thread, so a single-threaded
    /// measurement is not skewed by other processes competing for the cores.
    /// </summary>
    public static double BestOfThreadCpu(int reps, Action body)
    {
        var best = double.MaxValue;
        for (var r = 0; r < reps; r++)
        {
            var start = ThreadCpuSeconds();
            body();
            best = Math.Min(best, ThreadCpuSeconds() - start);
        }
        return best;
    }

    /// <summary>
    /// Best of N in CPU seconds of the whole process (all threads). On a shared machine this
    /// tracks the work done, where wall time tracks whoever else is running.
    /// </summary>
    public static double BestOfProcessCpu(int reps, Action body)
    {
        var best = double.MaxValue;
        for (var r = 0; r < reps; r++)
        {
            var start = ProcessCpuSeconds();
            body();
            best = Math.Min(best, ProcessCpuSeconds() - start);
        }
        return best;
    }

    public static double ProcessCpuSeconds()
    {
        const int ClockProcessCpuTimeId = 2;
        ClockGetTime(ClockProcessCpuTimeId, out var ts);
        return ts.Seconds + ts.Nanoseconds * 1e-9;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec ts);

    public static double ThreadCpuSeconds()
    {
        const int ClockThreadCpuTimeId = 3;
        ClockGetTime(ClockThreadCpuTimeId, out var ts);
        return ts.Seconds + ts.Nanoseconds * 1e-9;
    }

    /// <summary>Runs a script from bench/python and parses the single JSON object it prints last.</summary>
    public static Dictionary<string, double>? RunPython(string script, params string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "python", script);
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Same thread settings for both sides, whatever the environment says.
        psi.Environment["OMP_NUM_THREADS"] = Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "";
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEnd();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                Console.Error.WriteLine($"python reference failed ({p.ExitCode}): {stderr.Trim()}");
                return null;
            }
            var last = stdout.Trim().Split('\n').Last();
            using var doc = JsonDocument.Parse(last);
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"python reference unavailable ({Python}): {e.Message}");
            return null;
        }
    }

    /// <summary>Resident memory now (VmRSS) and its peak over the process's life (VmHWM), in bytes, from /proc/self/status.</summary>
    public static (long Rss, long PeakRss) ProcessMemory()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line) * 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line) * 1024;
        }
        return (rss, peak);
    }

    /// <summary>Minor page faults of this process so far (field 10 of /proc/self/stat): memory the allocator handed back and touched again.</summary>
    public static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');                      // fields from the 3rd on
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    private static long Kilobytes(string statusLine) =>
        long.Parse(statusLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>The 1-minute load average, to print beside timings taken on a shared machine.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static string Ratio(double ours, double reference) =>
        reference > 0 ? (ours / reference).ToString("F2", CultureInfo.InvariantCulture) + "x" : "n/a";

    public static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
