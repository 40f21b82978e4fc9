using System.Globalization;
using System.Text.Json;

namespace MLNetClip.Reports.Runs;

/// <summary>A confusion matrix found in an evaluation file, with its class names (numbers when the file names none).</summary>
public sealed record ConfusionTable(string Key, long[,] Counts, IReadOnlyList<string> ClassNames);

/// <summary>
/// One evaluation's JSON (what <c>mlnetclip eval … --json FILE</c> writes), read without assuming
/// its layout: every scalar under its dotted key path, and every <c>confusion</c> member that is
/// a square array of count arrays, named by a sibling <c>classes</c> or <c>classNames</c> array.
/// </summary>
public sealed record EvaluationFile(string Name, IReadOnlyList<(string Key, string Value)> Values, IReadOnlyList<ConfusionTable> Confusions, string? Error)
{
    /// <summary>The files named eval*.json directly in <paramref name="folder"/>, by name; none is fine.</summary>
    public static IReadOnlyList<EvaluationFile> FindIn(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "eval*.json").Order(StringComparer.Ordinal).Select(Read).ToList()
            : [];

    /// <summary>Reads one file; a file that is not JSON is kept with <see cref="Error"/> saying why, so a report still renders.</summary>
    public static EvaluationFile Read(string path)
    {
        var name = Path.GetFileName(path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var values = new List<(string, string)>();
            var confusions = new List<ConfusionTable>();
            Walk(doc.RootElement, "", values, confusions);
            return new EvaluationFile(name, values, confusions, null);
        }
        catch (JsonException e)
        {
            return new EvaluationFile(name, [], [], $"not valid JSON ({e.Message})");
        }
    }

    private static void Walk(JsonElement e, string key, List<(string, string)> values, List<ConfusionTable> confusions)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    var child = key.Length == 0 ? p.Name : $"{key}.{p.Name}";
                    if (p.Name.Equals("confusion", StringComparison.OrdinalIgnoreCase) && Counts(p.Value) is { } counts)
                        confusions.Add(new ConfusionTable(child, counts, Names(e, counts.GetLength(0))));
                    else
                        Walk(p.Value, child, values, confusions);
                }
                break;
            case JsonValueKind.Array:
                break;  // lists (class names, per-class numbers) are too long for a table of figures
            case JsonValueKind.Number:
                values.Add((key, FormatNumber(e.GetDouble())));
                break;
            default:
                values.Add((key, e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()));
                break;
        }
    }

    /// <summary>Four significant digits; integers as they are.</summary>
    public static string FormatNumber(double v) =>
        v == Math.Round(v) && Math.Abs(v) < 1e15 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture);

    private static long[,]? Counts(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array) return null;
        var rows = e.EnumerateArray().ToList();
        var n = rows.Count;
        if (n == 0 || rows.Any(r => r.ValueKind != JsonValueKind.Array || r.GetArrayLength() != n)) return null;
        var counts = new long[n, n];
        for (var t = 0; t < n; t++)
        {
            var p = 0;
            foreach (var v in rows[t].EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var c) || c < 0) return null;
                counts[t, p++] = c;
            }
        }
        return counts;
    }

    private static IReadOnlyList<string> Names(JsonElement parent, int count)
    {
        foreach (var key in new[] { "classes", "classNames", "class_names" })
            if (parent.TryGetProperty(key, out var names) && names.ValueKind == JsonValueKind.Array && names.GetArrayLength() == count
                && names.EnumerateArray().All(n => n.ValueKind == JsonValueKind.String))
                return names.EnumerateArray().Select(n => n.GetString()!).ToList();
        return Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
    }
}
