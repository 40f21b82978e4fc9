namespace MLNetClip.Data.Shards;

/// <summary>The kinds of tar member a reader reports; links, devices and FIFOs are all <see cref="Other"/>.</summary>
public enum TarEntryType
{
    File,
    Directory,
    Other,
}

/// <summary>One member of a tar archive, after any pax or GNU long-name header has been applied.</summary>
public sealed class TarEntry
{
    internal TarEntry(string name, TarEntryType type, long size, long headerOffset, byte[]? data)
    {
        Name = name;
        Type = type;
        Size = size;
        HeaderOffset = headerOffset;
        Data = data;
    }

    /// <summary>The member's path inside the archive, '/'-separated, already checked to be relative and free of "..".</summary>
    public string Name { get; }

    public TarEntryType Type { get; }

    /// <summary>The length of the member's data in bytes.</summary>
    public long Size { get; }

    /// <summary>Where the member's own header starts in the (uncompressed) archive, for messages.</summary>
    public long HeaderOffset { get; }

    /// <summary>The member's bytes, or null when the caller did not ask for them or the member is not a file.</summary>
    public byte[]? Data { get; }

    public override string ToString() => $"{Name} ({Type}, {Size} bytes at {HeaderOffset})";
}
