using MLNetClip.Data.Datasets;

namespace MLNetClip.Evaluation.Data;

/// <summary>
/// Distinct images with one class each, for classification. A manifest may list one image on
/// several rows (once per caption); it counts once, and its rows must agree on the class.
/// Images keep first-seen order.
/// </summary>
public sealed class LabelledImages
{
    private LabelledImages(IReadOnlyList<ImageTextRecord> images, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        Images = images;
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>One record per distinct image key.</summary>
    public IReadOnlyList<ImageTextRecord> Images { get; }

    /// <summary>Each image's class, an index into <see cref="ClassNames"/>.</summary>
    public IReadOnlyList<int> Labels { get; }

    public IReadOnlyList<string> ClassNames { get; }

    public int Count => Images.Count;

    /// <summary>The distinct class names of some rows, in ordinal order.</summary>
    public static IReadOnlyList<string> DistinctClasses(params IEnumerable<EvaluationRow>[] rowSets) =>
        rowSets.SelectMany(rows => rows.Select(r => r.Text)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Images and labels of <paramref name="rows"/>, whose text is the class name. Every name must be in
    /// <paramref name="classNames"/> (default: the rows' own distinct names in ordinal order).
    /// </summary>
    public static LabelledImages From(IReadOnlyList<EvaluationRow> rows, IReadOnlyList<string>? classNames = null)
    {
        classNames ??= DistinctClasses(rows);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < classNames.Count; i++)
            if (!index.TryAdd(classNames[i], i)) throw new ArgumentException($"the class '{classNames[i]}' is listed twice");

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var images = new List<ImageTextRecord>();
        var labels = new List<int>();
        foreach (var (record, name, key) in rows)
        {
            if (!index.TryGetValue(name, out var label))
                throw new InvalidDataException($"{record.Origin}: the class '{name}' is not among the {classNames.Count} classes given " +
                    $"({Preview(classNames)})");
            if (seen.TryGetValue(key, out var at))
            {
                if (labels[at] != label)
                    throw new InvalidDataException($"{record.Origin}: image '{key}' is labelled '{name}' here but " +
                        $"'{classNames[labels[at]]}' at {images[at].Origin}");
                continue;
            }
            seen[key] = images.Count;
            images.Add(record);
            labels.Add(label);
        }
        return new LabelledImages(images, labels, classNames);
    }

    /// <summary>Class names from a file, one per line; blank lines are skipped and surrounding spaces trimmed.</summary>
    public static IReadOnlyList<string> ReadClassFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"class file '{path}' does not exist (expected one class name per line)", path);
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count < 2) throw new InvalidDataException($"{path}: {names.Count} class names; a classifier needs at least 2, one per line");
        var twice = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidDataException($"{path}: the class '{twice.Key}' is listed twice");
        return names;
    }

    private static string Preview(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(6).Select(n => $"'{n}'")) + (names.Count > 6 ? $" and {names.Count - 6} more" : "");
}
