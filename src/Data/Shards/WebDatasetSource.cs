using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.Shards;

/// <summary>
/// WebDataset tar shards: each shard is a partition, read front to back straight from the file
/// (gzip-compressed shards too) without extracting anything. Shard names come from brace
/// patterns such as <c>/data/shards-{000000..000127}.tar</c>; every shard must exist when the
/// source is opened. Damage inside a shard (a bad header, a cut-off member, a path-traversal
/// name) ends that shard's read with a <see cref="DatasetFormatException"/> naming shard,
/// member and byte offset, after every complete sample before it has been yielded.
/// </summary>
public sealed class WebDatasetSource : IImageTextSource
{
    private WebDatasetSource(string pattern, IReadOnlyList<string> shards)
    {
        Pattern = pattern;
        Partitions = shards;
    }

    /// <summary>Expands <paramref name="pattern"/> (relative names resolve against the current folder) and checks the shards exist.</summary>
    public static WebDatasetSource Open(string pattern)
    {
        var shards = BracePattern.Expand(pattern).Select(Path.GetFullPath).ToArray();
        var missing = shards.Where(s => !File.Exists(s)).ToArray();
        if (missing.Length > 0)
            throw new FileNotFoundException(
                $"{missing.Length} of the {shards.Length} shards named by '{pattern}' do not exist, first '{missing[0]}'", missing[0]);
        return new WebDatasetSource(pattern, shards);
    }

    /// <summary>The pattern the source was opened with.</summary>
    public string Pattern { get; }

    public string Description => $"shards {Pattern}";
    public IReadOnlyList<string>? ClassNames => null;
    public IReadOnlyList<string> Partitions { get; }

    public IEnumerable<ImageTextRecord> ReadPartition(int index, CancellationToken cancellationToken = default)
    {
        using var reader = TarReader.OpenFile(Partitions[index]);
        foreach (var record in ReadShard(reader, cancellationToken)) yield return record;
    }

    /// <summary>Groups an open archive's members into records; usable on any stream, not just files.</summary>
    public static IEnumerable<ImageTextRecord> ReadShard(TarReader reader, CancellationToken cancellationToken = default)
    {
        var group = new List<TarEntry>();
        string? key = null;
        foreach (var entry in reader.Entries(WebDatasetSample.IsUsed))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.Type != TarEntryType.File || Path.GetFileName(entry.Name).StartsWith('.')) continue;
            var (entryKey, _) = WebDatasetSample.SplitName(entry.Name);
            if (entry.Data is null) continue;
            if (key is not null && entryKey != key)
            {
                yield return WebDatasetSample.Build(reader.ArchiveName, key, group);
                group.Clear();
            }
            key = entryKey;
            group.Add(entry);
        }
        if (key is not null) yield return WebDatasetSample.Build(reader.ArchiveName, key, group);
    }
}
