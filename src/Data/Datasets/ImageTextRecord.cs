namespace MLNetClip.Data.Datasets;

/// <summary>
/// One image–caption pair as a source found it. Nothing here has been decoded or checked:
/// the image may be missing, empty or corrupt and the caption may be empty. Those are the
/// loader's to skip and count, so a source hands every record on with what it saw.
/// </summary>
public sealed class ImageTextRecord
{
    private readonly byte[]? _bytes;

    private ImageTextRecord(string key, string origin, string? path, byte[]? bytes, string? extension,
        string? caption, int? label, IReadOnlyDictionary<string, string>? metadata)
    {
        Key = key;
        Origin = origin;
        ImagePath = path;
        _bytes = bytes;
        ImageExtension = extension;
        Caption = caption;
        Label = label;
        Metadata = metadata ?? EmptyMetadata;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    /// <summary>A record whose image lives in a file that is read only when asked for.</summary>
    public static ImageTextRecord FromFile(string key, string origin, string imagePath, string? caption,
        int? label = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(key, origin, imagePath, null, ExtensionOf(imagePath), caption, label, metadata);

    /// <summary>A record whose encoded image bytes are already in memory (a tar member, say).</summary>
    public static ImageTextRecord FromBytes(string key, string origin, byte[]? imageBytes, string? extension,
        string? caption, int? label = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(key, origin, null, imageBytes, extension?.ToLowerInvariant(), caption, label, metadata);

    /// <summary>Identifies the sample within its source (a relative path, a tar key).</summary>
    public string Key { get; }

    /// <summary>Where the record came from, for messages: "manifest.tsv line 12", "shard-000003.tar member 000042.jpg".</summary>
    public string Origin { get; }

    /// <summary>The image file, when the image lives on disk; otherwise null.</summary>
    public string? ImagePath { get; }

    /// <summary>The encoding hinted by the file or member name ("png", "jpg"), lower case; null when there is no image.</summary>
    public string? ImageExtension { get; }

    /// <summary>The caption text, or null when the sample has none.</summary>
    public string? Caption { get; }

    /// <summary>The class index for labelled sources (folders, labelled manifests), otherwise null.</summary>
    public int? Label { get; }

    /// <summary>Further columns or JSON fields the source carried (category, split, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>True when the source saw an image for this sample (the bytes may still be bad).</summary>
    public bool HasImage => ImagePath is not null || _bytes is not null;

    /// <summary>
    /// The encoded image. File-backed records read the file now, so a missing file surfaces
    /// here as <see cref="FileNotFoundException"/> naming the path and origin, on whichever
    /// worker thread asked.
    /// </summary>
    public byte[] ReadImageBytes()
    {
        if (_bytes is not null) return _bytes;
        if (ImagePath is null)
            throw new InvalidDataException($"{Origin}: sample '{Key}' has no image");
        try
        {
            return File.ReadAllBytes(ImagePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{Origin}: image file '{ImagePath}' does not exist", ImagePath, e);
        }
    }

    public override string ToString() => $"{Key} ({Origin}): \"{Caption}\"";

    private static string? ExtensionOf(string path)
    {
        var ext = Path.GetExtension(path);
        return ext.Length > 1 ? ext[1..].ToLowerInvariant() : null;
    }
}
