using System.Diagnostics;
using System.Text.Json;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// Sums the steps' terms on the device between read-backs, so logging costs one synchronisation
/// every LogEvery steps instead of one per term per step.
/// </summary>
internal sealed class MetricsWindow : IDisposable
{
    private readonly Dictionary<string, Tensor> _sums = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _applied;
    private long _images;
    private double _gradNorms;
    private double _losses;

    public void Add(StepResult step)
    {
        _images += step.Images;
        if (!step.IsApplied) return;
        _applied++;
        _gradNorms += step.GradNorm;
        _losses += step.Loss;
        foreach (var (name, value) in step.Terms)
        {
            using var scope = DisposeScope.Begin();
            var sum = _sums.TryGetValue(name, out var previous) ? previous + value : value.Clone();
            previous?.Dispose();
            _sums[name] = sum.DetachFromScope();
        }
    }

    /// <summary>Reads the window's means back and starts a new window.</summary>
    public PretrainMetrics Read(TrainingState state, long totalSteps, double logitScale, Device device, double elapsedSeconds)
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var terms = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, sum) in _sums) terms[name] = sum.Item() / _applied;
        terms["loss"] = _applied > 0 ? _losses / _applied : double.NaN;
        var (peak, kind) = MemoryUsage.Peak(device);
        var metrics = new PretrainMetrics
        {
            Step = state.Step,
            TotalSteps = totalSteps,
            Epoch = state.Epoch,
            LearningRate = state.Optimizer.LearningRate,
            LogitScale = logitScale,
            GradNorm = _applied > 0 ? _gradNorms / _applied : double.NaN,
            Terms = terms,
            ImagesPerSecond = seconds > 0 ? _images / seconds : 0,
            PeakMemoryBytes = peak,
            MemoryKind = kind,
            SkippedSteps = state.SkippedSteps,
            ElapsedSeconds = elapsedSeconds,
        };
        Reset();
        return metrics;
    }

    private void Reset()
    {
        foreach (var t in _sums.Values) t.Dispose();
        _sums.Clear();
        _applied = 0;
        _images = 0;
        _gradNorms = 0;
        _losses = 0;
        _clock.Restart();
    }

    public void Dispose() => Reset();
}

/// <summary>
/// metrics.jsonl: one JSON object per line, keys <c>step</c>, <c>totalSteps</c>, <c>epoch</c>,
/// <c>lr</c>, <c>logitScale</c>, <c>gradNorm</c>, <c>loss</c> and every term by its own name,
/// <c>imagesPerSecond</c>, <c>peakMemoryBytes</c> with <c>memory</c> ("cuda" or "rss"),
/// <c>skippedSteps</c>, <c>elapsedSeconds</c>. Non-finite numbers are written as null.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    private MetricsLog(StreamWriter writer) => _writer = writer;

    /// <summary>
    /// Opens the log for appending after <paramref name="resumeStep"/>: lines a killed run wrote
    /// past its last checkpoint are dropped, since the resumed run writes them again.
    /// </summary>
    public static MetricsLog Open(string path, long resumeStep)
    {
        if (File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(line => StepOf(line) is { } s && s <= resumeStep).ToList();
            var temp = path + ".partial";
            File.WriteAllLines(temp, kept);
            File.Move(temp, path, overwrite: true);
        }
        return new MetricsLog(new StreamWriter(path, append: true) { NewLine = "\n" });
    }

    public void Write(PretrainMetrics m)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", m.Step);
            json.WriteNumber("totalSteps", m.TotalSteps);
            json.WriteNumber("epoch", m.Epoch);
            Number(json, "lr", m.LearningRate);
            Number(json, "logitScale", m.LogitScale);
            Number(json, "gradNorm", m.GradNorm);
            foreach (var (name, value) in m.Terms) Number(json, name, value);
            Number(json, "imagesPerSecond", Math.Round(m.ImagesPerSecond, 2));
            json.WriteNumber("peakMemoryBytes", m.PeakMemoryBytes);
            json.WriteString("memory", m.MemoryKind);
            json.WriteNumber("skippedSteps", m.SkippedSteps);
            Number(json, "elapsedSeconds", Math.Round(m.ElapsedSeconds, 3));
            json.WriteEndObject();
        }
        _writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        _writer.Flush();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    private static long? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt64(out var step) ? step : null;
        }
        catch (JsonException)
        {
            return null;  // a line cut short by a kill
        }
    }

    public void Dispose() => _writer.Dispose();
}

/// <summary>Peak memory of the run: the CUDA allocator's peak on a GPU, the process's peak resident set on CPU.</summary>
internal static class MemoryUsage
{
    public static (long Bytes, string Kind) Peak(Device device)
    {
        if (device.IsCuda) return (Cuda.PeakMemoryAllocated(Math.Max(0, device.Index)), "cuda");
        return (PeakResidentBytes(), "rss");
    }

    // VmHWM in /proc/self/status is the peak resident set; elsewhere the current working set stands in.
    private static long PeakResidentBytes()
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
            foreach (var line in File.ReadLines(path))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal) &&
                    long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kb))
                    return kb * 1024;
        return Environment.WorkingSet;
    }
}
