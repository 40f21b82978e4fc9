using MLNetClip.Data.Datasets;
using MLNetClip.Data.Shards;

namespace MLNetClip.Evaluation.Data;

/// <summary>One record of an evaluation set and the text an evaluation reads from it (a caption or a class name).</summary>
/// <param name="Record">The record as the data layer read it.</param>
/// <param name="Text">The caption or class name.</param>
/// <param name="ImageKey">
/// Which image the row shows: rows with equal keys are one image. The record's key (a manifest's
/// relative path), except in shards that our <c>ShardWriter</c> wrote, which give every row its own
/// sample and keep the original key in the JSON field "key".
/// </param>
public sealed record EvaluationRow(ImageTextRecord Record, string Text, string ImageKey);

/// <summary>The rows an evaluation reads, and where they came from in words ("manifest /d/emoji.tsv where split=val").</summary>
public sealed record EvaluationSet(IReadOnlyList<EvaluationRow> Rows, string Description);

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
    public static EvaluationSet Read(string data, string imageColumn, string textColumn, string textRole,
        IReadOnlyList<ColumnFilter> filters)
    {
        ArgumentException.ThrowIfNullOrEmpty(data);
        ArgumentException.ThrowIfNullOrEmpty(textColumn);
        var (source, text) = Open(data, imageColumn, textColumn, textRole);
        var shards = source is WebDatasetSource;
        var filtered = FilteredSource.Where(source, filters);
        var rows = filtered.ReadAll().Select(r => new EvaluationRow(r, text(r), ImageKey(r, shards))).ToList();
        if (rows.Count == 0)
            throw new InvalidDataException($"{filtered.Description} has no rows to evaluate");
        var blank = rows.FirstOrDefault(r => string.IsNullOrWhiteSpace(r.Text));
        if (blank is not null)
            throw new InvalidDataException($"{blank.Record.Origin}: the {textRole} in '{textColumn}' is empty");
        return new EvaluationSet(rows, filtered.Description);
    }

    /// <summary>
    /// Rows for image-only work (embedding images): only the image column must exist, and each
    /// row's text is its image key.
    /// </summary>
    public static EvaluationSet ReadImages(string data, string imageColumn, IReadOnlyList<ColumnFilter> filters)
    {
        ArgumentException.ThrowIfNullOrEmpty(data);
        IImageTextSource source;
        if (data.Contains(".tar", StringComparison.OrdinalIgnoreCase)) source = WebDatasetSource.Open(data);
        else if (Directory.Exists(data)) source = ImageFolderSource.Open(data);
        else
        {
            RequireFile(data);
            var separator = ManifestOptions.SeparatorFor(data);
            var columns = ManifestHeader.Require(data, separator, [("image", imageColumn)]);
            // The data layer reads a caption column too; any other column serves, as the text is not used.
            var other = columns.FirstOrDefault(c => c != imageColumn)
                ?? throw new DatasetFormatException(Path.GetFullPath(data), "line 1", $"the manifest has only the column '{imageColumn}'; add a second one (a caption, say)");
            source = ManifestSource.Open(data, new ManifestOptions { Separator = separator, PathColumn = imageColumn, CaptionColumn = other });
        }
        var filtered = FilteredSource.Where(source, filters);
        var shards = source is WebDatasetSource;
        var rows = filtered.ReadAll().Select(r => new EvaluationRow(r, r.Key, ImageKey(r, shards))).ToList();
        if (rows.Count == 0) throw new InvalidDataException($"{filtered.Description} has no rows");
        return new EvaluationSet(rows, filtered.Description);
    }

    private static string ImageKey(ImageTextRecord record, bool shard) =>
        shard && record.Metadata.TryGetValue("key", out var original) && original.Length > 0 ? original : record.Key;

    private static void RequireFile(string data)
    {
        if (!File.Exists(data))
            throw new FileNotFoundException($"data '{data}' does not exist; expected a manifest (.tsv or .csv), " +
                "WebDataset shards (a .tar name or a pattern such as 'dir/shard-{000000..000009}.tar') or an image folder", data);
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
        RequireFile(data);
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
