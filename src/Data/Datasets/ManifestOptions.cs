namespace MLNetClip.Data.Datasets;

/// <summary>
/// How to read an image–caption manifest. The defaults follow open_clip's convention:
/// a header row, tab-separated, with the image path in <c>filepath</c> and the caption in <c>title</c>.
/// </summary>
public sealed class ManifestOptions
{
    /// <summary>The column holding the image path, relative to the manifest's folder (or absolute).</summary>
    public string PathColumn { get; init; } = "filepath";

    /// <summary>The column holding the caption.</summary>
    public string CaptionColumn { get; init; } = "title";

    /// <summary>An optional column of class names; when set, records carry a label index and the source lists the classes.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The field separator: tab by default, ',' for CSV.</summary>
    public char Separator { get; init; } = '\t';

    /// <summary>The quote character for RFC 4180 quoting, or null to treat quotes as plain text.</summary>
    public char? Quote { get; init; } = '"';

    /// <summary>Where relative paths start; null means the manifest's own folder.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Options for a comma-separated manifest with the default column names.</summary>
    public static ManifestOptions Csv { get; } = new() { Separator = ',' };

    /// <summary>The separator a file's extension suggests: ',' for .csv, otherwise tab.</summary>
    public static char SeparatorFor(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ',' : '\t';

    internal void Validate()
    {
        if (string.IsNullOrEmpty(PathColumn)) throw new ArgumentException("ManifestOptions.PathColumn must name a column");
        if (string.IsNullOrEmpty(CaptionColumn)) throw new ArgumentException("ManifestOptions.CaptionColumn must name a column");
        if (PathColumn == CaptionColumn)
            throw new ArgumentException($"ManifestOptions.PathColumn and CaptionColumn are both '{PathColumn}'; they must differ");
        if (Separator is '\n' or '\r' || Separator == Quote)
            throw new ArgumentException($"ManifestOptions.Separator '{Separator}' cannot separate fields (it is a line break or the quote)");
    }
}
