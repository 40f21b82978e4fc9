using System.Text;

namespace MLNetClip.Data.Datasets;

/// <summary>
/// Image–caption pairs listed in a TSV or CSV manifest (open_clip's <c>filepath</c>/<c>title</c>
/// convention by default). The whole manifest is read and checked when the source is opened,
/// so a missing column or a ragged row fails at once, naming the file, line and column.
/// Image files themselves are not touched until a record's bytes are read.
/// </summary>
public sealed class ManifestSource : IIndexedImageTextSource
{
    private readonly List<ImageTextRecord> _records;

    private ManifestSource(string path, List<ImageTextRecord> records, IReadOnlyList<string>? classNames,
        IReadOnlyList<string> columns)
    {
        ManifestPath = path;
        _records = records;
        ClassNames = classNames;
        Columns = columns;
        Partitions = [path];
    }

    /// <summary>Opens and checks a manifest; options default to open_clip's tab-separated convention.</summary>
    public static ManifestSource Open(string path, ManifestOptions? options = null)
    {
        options ??= new ManifestOptions { Separator = ManifestOptions.SeparatorFor(path) };
        options.Validate();
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"manifest '{full}' does not exist", full);
        var baseDir = Path.GetFullPath(options.BaseDirectory ?? Path.GetDirectoryName(full)!);

        using var text = new StreamReader(full, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var reader = new DelimitedReader(text, full, options.Separator, options.Quote);
        var header = reader.ReadRow() ?? throw new DatasetFormatException(full, "line 1",
            $"the manifest is empty (expected a header naming the columns '{options.PathColumn}' and '{options.CaptionColumn}')");
        var columns = header.Fields.Select(f => f.Trim()).ToArray();
        CheckHeader(full, columns, options);
        var pathAt = Array.IndexOf(columns, options.PathColumn);
        var captionAt = Array.IndexOf(columns, options.CaptionColumn);
        var labelAt = options.LabelColumn is null ? -1 : Array.IndexOf(columns, options.LabelColumn);

        var rows = new List<(string[] Fields, int Line)>();
        while (reader.ReadRow() is { } row)
        {
            if (row.Fields.Length != columns.Length)
                throw new DatasetFormatException(full, $"line {row.Line}",
                    $"the row has {row.Fields.Length} fields but the header has {columns.Length} ({string.Join(", ", columns)}); " +
                    $"check for a stray '{Printable(options.Separator)}' or an unquoted line break");
            rows.Add(row);
        }

        // Class indices follow the sorted class names, so they do not depend on row order.
        string[]? classNames = labelAt < 0 ? null
            : rows.Select(r => r.Fields[labelAt]).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (classNames?.Contains("") == true)
        {
            var blank = rows.First(r => r.Fields[labelAt].Length == 0);
            throw new DatasetFormatException(full, $"line {blank.Line}, column '{options.LabelColumn}'", "the label is empty");
        }
        var classIndex = classNames?.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);

        var records = new List<ImageTextRecord>(rows.Count);
        foreach (var (fields, line) in rows)
        {
            var origin = $"{full} line {line}";
            var metadata = new Dictionary<string, string>(columns.Length);
            for (var c = 0; c < columns.Length; c++)
                if (c != pathAt && c != captionAt) metadata[columns[c]] = fields[c];
            int? label = labelAt < 0 ? null : classIndex![fields[labelAt]];
            var relative = fields[pathAt].Trim();
            // An empty path is a sample without an image: the loader skips and counts it.
            records.Add(relative.Length == 0
                ? ImageTextRecord.FromBytes($"line{line}", origin, null, null, fields[captionAt], label, metadata)
                : ImageTextRecord.FromFile(relative, origin, Path.GetFullPath(Path.Combine(baseDir, relative)),
                    fields[captionAt], label, metadata));
        }
        return new ManifestSource(full, records, classNames, columns);
    }

    /// <summary>The manifest's full path.</summary>
    public string ManifestPath { get; }

    /// <summary>The header's column names, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    public string Description => $"manifest {ManifestPath}";
    public IReadOnlyList<string>? ClassNames { get; }
    public IReadOnlyList<string> Partitions { get; }
    public int Count => _records.Count;
    public ImageTextRecord this[int index] => _records[index];

    public IEnumerable<ImageTextRecord> ReadPartition(int index, CancellationToken cancellationToken = default)
    {
        if (index != 0) throw new ArgumentOutOfRangeException(nameof(index), index, "a manifest has one partition");
        foreach (var record in _records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    public IEnumerator<ImageTextRecord> GetEnumerator() => _records.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private static void CheckHeader(string file, string[] columns, ManifestOptions options)
    {
        var duplicate = columns.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new DatasetFormatException(file, "line 1", $"the column '{duplicate.Key}' appears {duplicate.Count()} times in the header");
        foreach (var (role, name) in new[] { ("path", options.PathColumn), ("caption", options.CaptionColumn), ("label", options.LabelColumn) })
        {
            if (name is null || columns.Contains(name)) continue;
            var hint = columns.Length == 1 && columns[0].Contains(options.Separator == '\t' ? ',' : '\t')
                ? $" (the header is one field: is the separator really '{Printable(options.Separator)}'?)" : "";
            throw new DatasetFormatException(file, "line 1",
                $"no {role} column '{name}'; the header has: {string.Join(", ", columns.Select(c => $"'{c}'"))}{hint}");
        }
    }

    private static string Printable(char c) => c == '\t' ? "\\t" : c.ToString();
}
