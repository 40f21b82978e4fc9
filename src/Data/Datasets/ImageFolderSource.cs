namespace MLNetClip.Data.Datasets;

/// <summary>
/// A folder with one sub-folder per class (<c>root/cat/001.jpg</c>, <c>root/dog/x/7.png</c>):
/// the sub-folder's name is both the label and the caption. Classes are numbered in ordinal
/// order of their names and images are listed in ordinal order of their paths, so the record
/// order never depends on the file system.
/// </summary>
public sealed class ImageFolderSource : IIndexedImageTextSource
{
    /// <summary>The image extensions picked up when none are given.</summary>
    public static IReadOnlyList<string> DefaultExtensions { get; } = ["jpg", "jpeg", "png", "webp", "bmp", "gif"];

    private readonly List<ImageTextRecord> _records;

    private ImageFolderSource(string root, string[] classes, List<ImageTextRecord> records)
    {
        Root = root;
        ClassNames = classes;
        _records = records;
        Partitions = [root];
    }

    /// <summary>Lists the images under <paramref name="root"/>; files directly in the root and hidden entries are ignored.</summary>
    public static ImageFolderSource Open(string root, IEnumerable<string>? extensions = null)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"image folder '{full}' does not exist");
        var wanted = new HashSet<string>((extensions ?? DefaultExtensions).Select(e => e.TrimStart('.')),
            StringComparer.OrdinalIgnoreCase);

        var classes = Directory.EnumerateDirectories(full)
            .Select(Path.GetFileName)
            .Where(n => !n!.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (classes.Length == 0)
            throw new InvalidDataException($"image folder '{full}' has no class sub-folders (expected root/<class>/<image>)");

        var records = new List<ImageTextRecord>();
        for (var label = 0; label < classes.Length; label++)
        {
            var classDir = Path.Combine(full, classes[label]!);
            var files = Directory.EnumerateFiles(classDir, "*", SearchOption.AllDirectories)
                .Where(f => wanted.Contains(Path.GetExtension(f).TrimStart('.')))
                .Select(f => Path.GetRelativePath(full, f))
                .Where(rel => !rel.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                .Order(StringComparer.Ordinal);
            foreach (var rel in files)
            {
                var key = rel.Replace(Path.DirectorySeparatorChar, '/');
                records.Add(ImageTextRecord.FromFile(key, $"{full} file {key}", Path.Combine(full, rel), classes[label], label));
            }
        }
        return new ImageFolderSource(full, classes!, records);
    }

    /// <summary>The folder's full path.</summary>
    public string Root { get; }

    public string Description => $"image folder {Root}";
    public IReadOnlyList<string> ClassNames { get; }
    IReadOnlyList<string>? IImageTextSource.ClassNames => ClassNames;
    public IReadOnlyList<string> Partitions { get; }
    public int Count => _records.Count;
    public ImageTextRecord this[int index] => _records[index];

    public IEnumerable<ImageTextRecord> ReadPartition(int index, CancellationToken cancellationToken = default)
    {
        if (index != 0) throw new ArgumentOutOfRangeException(nameof(index), index, "an image folder has one partition");
        foreach (var record in _records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
    }

    public IEnumerator<ImageTextRecord> GetEnumerator() => _records.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
