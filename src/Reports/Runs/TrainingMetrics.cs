using System.Text.Json;
using MLNetClip.Reports.Charts;

namespace MLNetClip.Reports.Runs;

/// <summary>
/// A run's metrics.jsonl read back: one row per logged step, every numeric key kept (null, the
/// log's spelling of a non-finite number, becomes NaN). Lines that are not a JSON object with a
/// numeric <c>step</c> (a line cut short when a run was killed) are counted and left out.
/// </summary>
public sealed class TrainingMetrics
{
    private TrainingMetrics(IReadOnlyList<IReadOnlyDictionary<string, double>> rows, IReadOnlyList<string> keys, int skippedLines)
    {
        Rows = rows;
        Keys = keys;
        SkippedLines = skippedLines;
    }

    /// <summary>The logged steps in file order, each key to its value.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Rows { get; }

    /// <summary>Every numeric key, in the order first seen.</summary>
    public IReadOnlyList<string> Keys { get; }

    public int SkippedLines { get; }

    public static TrainingMetrics Read(string path) => Parse(File.ReadLines(path));

    public static TrainingMetrics Parse(IEnumerable<string> lines)
    {
        var rows = new List<IReadOnlyDictionary<string, double>>();
        var keys = new List<string>();
        var skipped = 0;
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var row = ParseLine(line);
            if (row is null)
            {
                skipped++;
                continue;
            }
            foreach (var key in row.Keys.Where(k => !keys.Contains(k))) keys.Add(key);
            rows.Add(row);
        }
        return new TrainingMetrics(rows, keys, skipped);
    }

    /// <summary>(step, value) for every row holding <paramref name="key"/>.</summary>
    public ChartSeries Series(string key, string? name = null, Func<double, double>? scale = null) =>
        new(name ?? key, Rows.Where(r => r.ContainsKey(key))
            .Select(r => (r["step"], scale is null ? r[key] : scale(r[key]))).ToList());

    private static Dictionary<string, double>? ParseLine(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            var row = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Number) row[p.Name] = p.Value.GetDouble();
                else if (p.Value.ValueKind == JsonValueKind.Null) row[p.Name] = double.NaN;
            }
            return row.TryGetValue("step", out var step) && double.IsFinite(step) ? row : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
