using MLNetClip.Data.Datasets;
using MLNetClip.Data.Shards;

namespace MLNetClip.Evaluation.Data;

/// <summary>One record of an evaluation set and the text an evaluation reads from it (a caption or a class name).</summary>
public sealed record EvaluationRow(ImageTextRecord Record, string Text);

/// <summary>
/// Reads the rows of an evaluation set from anything the data layer reads, narrowed by
/// COLUMN=VALUE filters: a TSV or CSV manifest (the image path in <c>imageColumn</c>, the text in
/// <c>textColumn</c>), WebDataset shards (a name holding ".tar", brace patterns allowed; the text is
/// the JSON field <c>textColumn</c>, else the caption member, or the <c>.cls</c> label for "cls"),
/// or an image folder (the text is the class folder's name). Every row is read now, images
/// excepted; a missing column or an empty result fails here, naming the file and the column.
/// </summary>
public static class EvaluationData
{
    /// <summary>Column defaults, as open_clip's manifests and our emoji benchmark name them.</summary>
    public const string DefaultImageColumn = "filepath", DefaultCaptionColumn = "title", DefaultLabelColumn = "label";

    /// <summary>Names that mean "the sample's caption member" in shards, when no JSON field has the name.</summary>
    private static readonly string[] ShardCaptionNames = ["txt", "caption", "title", "text"];

    /// <param name="data">A manifest path, a shard name or pattern, or an image folder.</param>
    /// <param name="imageColumn">The manifest column holding image paths.</param>
    /// <param name="textColumn">The column this evaluation reads: captions for retrieval, class names for classification.</param>
    /// <param name="textRole">What the text is, for messages ("caption", "label").</param>
    /// <param name="filters">Rows kept must match every one.</param>
    public static IReadOnlyList<EvaluationRow> Read(string data, string imageColumn, string textColumn, string textRole,
        IReadOnlyList<ColumnFilter> filters)
    {
        ArgumentException.ThrowIfNullOrEmpty(data);
        var (source, text) = Open(data, imageColumn, textColumn, textRole);
        var rows = FilteredSource.Where(source, filters).ReadAll().Select(r => new EvaluationRow(r, text(r))).ToList();
        if (rows.Count == 0)
            throw new InvalidDataException($"{source.Description} has no rows to evaluate");
        var blank = rows.FirstOrDefault(r => string.IsNullOrWhiteSpace(r.Text));
        if (blank is not null)
            throw new InvalidDataException($"{blank.Record.Origin}: the {textRole} in '{textColumn}' is empty");
        return rows;
    }

    private static (IImageTextSource Source, Func<ImageTextRecord, string> Text) Open(string data, string imageColumn, string textColumn, string role)
    {
        if (data.Contains(".tar", StringComparison.OrdinalIgnoreCase))
        {
            var shards = WebDatasetSource.Open(data);
            return (shards, r => ShardText(r, textColumn, role));
        }
        if (Directory.Exists(data))
            return (ImageFolderSource.Open(data), r => r.Caption ?? "");
        if (!File.Exists(data))
            throw new FileNotFoundException($"data '{data}' does not exist; expected a manifest (.tsv or .csv), " +
                "WebDataset shards (a .tar name or a pattern such as 'dir/shard-{000000..000009}.tar') or an image folder", data);
        var separator = ManifestOptions.SeparatorFor(data);
        ManifestHeader.Require(data, separator, [("image", imageColumn), (role, textColumn)]);
        var manifest = ManifestSource.Open(data, new ManifestOptions { Separator = separator, PathColumn = imageColumn, CaptionColumn = textColumn });
        return (manifest, r => r.Caption ?? "");
    }

    private static string ShardText(ImageTextRecord record, string column, string role)
    {
        if (record.Metadata.TryGetValue(column, out var value)) return value;
        if (ShardCaptionNames.Contains(column) && record.Caption is not null) return record.Caption;
        if (column == "cls" && record.Label is { } label) return label.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var fields = record.Metadata.Keys.Order(StringComparer.Ordinal).ToList();
        throw new InvalidDataException($"{record.Origin}: no {role} field '{column}'; the sample's JSON has " +
            (fields.Count == 0 ? "no fields" : string.Join(", ", fields.Select(f => $"'{f}'"))) +
            (record.Caption is null ? "" : ", and 'txt' names its caption member"));
    }
}
