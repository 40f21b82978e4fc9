using System.Text.Json;

namespace MLNetClip.Pretraining.Training;

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
