namespace MLNetClip.Data.Datasets;

/// <summary>
/// A "COLUMN=VALUE" condition on a record's <see cref="ImageTextRecord.Metadata"/>: a manifest's
/// other columns, or a shard sample's JSON fields. Values compare exactly (ordinal, untrimmed).
/// </summary>
public sealed record ColumnFilter(string Column, string Value)
{
    /// <summary>Parses "COLUMN=VALUE"; the value may itself contain '='.</summary>
    public static ColumnFilter Parse(string text)
    {
        var at = text.IndexOf('=');
        if (at <= 0)
            throw new FormatException($"'{text}' is not a filter; expected COLUMN=VALUE, e.g. split=train");
        return new ColumnFilter(text[..at].Trim(), text[(at + 1)..]);
    }

    public bool Matches(ImageTextRecord record) =>
        record.Metadata.TryGetValue(Column, out var value) && string.Equals(value, Value, StringComparison.Ordinal);

    public override string ToString() => $"{Column}={Value}";
}

/// <summary>Narrows a source to the records every filter matches.</summary>
public static class FilteredSource
{
    /// <summary>
    /// The records of <paramref name="source"/> matching every filter. An indexed source
    /// (manifest, folder) is filtered now and checked: a column no record has, or no match at
    /// all, fails naming the column and the values it does hold. A streamed source (shards) is
    /// filtered as it is read. With no filters the source itself is returned.
    /// </summary>
    public static IImageTextSource Where(IImageTextSource source, IReadOnlyList<ColumnFilter> filters)
    {
        if (filters.Count == 0) return source;
        var description = $"{source.Description} where {string.Join(" and ", filters)}";
        if (source is not IIndexedImageTextSource indexed)
            return new FilteredStream(source, filters, description);

        foreach (var f in filters) CheckColumn(indexed, f);
        var kept = indexed.Where(r => filters.All(f => f.Matches(r))).ToList();
        if (kept.Count == 0)
        {
            var values = string.Join("; ", filters.Select(f => $"'{f.Column}' holds {Sample(indexed, f.Column)}"));
            throw new InvalidDataException($"no record of {source.Description} matches {string.Join(" and ", filters)} ({values})");
        }
        return new FilteredIndex(kept, source.ClassNames, source.Partitions, description);
    }

    private static void CheckColumn(IIndexedImageTextSource source, ColumnFilter filter)
    {
        if (source.Any(r => r.Metadata.ContainsKey(filter.Column))) return;
        var columns = source.SelectMany(r => r.Metadata.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var known = columns.Count == 0 ? "it has no other columns" : $"the columns that can be filtered on are {string.Join(", ", columns)}";
        throw new InvalidDataException($"{source.Description} has no column '{filter.Column}' to filter on; {known}");
    }

    private static string Sample(IIndexedImageTextSource source, string column)
    {
        var values = source.Select(r => r.Metadata.GetValueOrDefault(column)).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        var shown = string.Join(", ", values.Take(8).Select(v => $"'{v}'"));
        return values.Count > 8 ? $"{shown} and {values.Count - 8} more" : shown;
    }

    private sealed class FilteredIndex(List<ImageTextRecord> records, IReadOnlyList<string>? classNames,
        IReadOnlyList<string> partitions, string description) : IIndexedImageTextSource
    {
        public string Description => description;
        public IReadOnlyList<string>? ClassNames => classNames;
        public IReadOnlyList<string> Partitions { get; } = [string.Join(", ", partitions)];
        public int Count => records.Count;
        public ImageTextRecord this[int index] => records[index];

        public IEnumerable<ImageTextRecord> ReadPartition(int index, CancellationToken cancellationToken = default)
        {
            if (index != 0) throw new ArgumentOutOfRangeException(nameof(index), index, "a filtered index has one partition");
            foreach (var r in records)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return r;
            }
        }

        public IEnumerator<ImageTextRecord> GetEnumerator() => records.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class FilteredStream(IImageTextSource source, IReadOnlyList<ColumnFilter> filters, string description) : IImageTextSource
    {
        public string Description => description;
        public IReadOnlyList<string>? ClassNames => source.ClassNames;
        public IReadOnlyList<string> Partitions => source.Partitions;

        public IEnumerable<ImageTextRecord> ReadPartition(int index, CancellationToken cancellationToken = default) =>
            source.ReadPartition(index, cancellationToken).Where(r => filters.All(f => f.Matches(r)));
    }
}
