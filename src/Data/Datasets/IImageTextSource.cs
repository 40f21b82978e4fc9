namespace MLNetClip.Data.Datasets;

/// <summary>
/// Anything that yields image–caption records. A source is cut into partitions that can be
/// read independently and in any order (one per tar shard; a manifest or a folder is a single
/// partition), which is what lets a loader hand different partitions to different workers
/// or data-parallel ranks.
/// </summary>
public interface IImageTextSource
{
    /// <summary>A short human-readable name for messages ("manifest /data/train.tsv").</summary>
    string Description { get; }

    /// <summary>Class names indexed by <see cref="ImageTextRecord.Label"/>, or null when the source is unlabelled.</summary>
    IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Names of the independently readable parts, in their natural order.</summary>
    IReadOnlyList<string> Partitions { get; }

    /// <summary>Streams the records of one partition in stored order.</summary>
    IEnumerable<ImageTextRecord> ReadPartition(int index, CancellationToken cancellationToken = default);
}

/// <summary>
/// A source whose records are all known up front (manifests, folders), so a loader may
/// shuffle and split them by index rather than by partition.
/// </summary>
public interface IIndexedImageTextSource : IImageTextSource, IReadOnlyList<ImageTextRecord>
{
}

/// <summary>Helpers shared by every source.</summary>
public static class ImageTextSourceExtensions
{
    /// <summary>Every record of every partition, partitions in order.</summary>
    public static IEnumerable<ImageTextRecord> ReadAll(this IImageTextSource source,
        CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < source.Partitions.Count; i++)
            foreach (var record in source.ReadPartition(i, cancellationToken))
                yield return record;
    }
}
