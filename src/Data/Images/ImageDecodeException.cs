namespace MLNetClip.Data.Images;

/// <summary>
/// An image that could not be decoded: empty, truncated, corrupt, unsupported or too large.
/// An <see cref="IOException"/>, so a loader can skip unreadable and undecodable files alike.
/// </summary>
public sealed class ImageDecodeException : IOException
{
    public ImageDecodeException(string source, string reason)
        : base($"{source}: {reason}")
    {
        SourceName = source;
        Reason = reason;
    }

    /// <summary>The file path, or the name the caller gave for in-memory bytes.</summary>
    public string SourceName { get; }

    /// <summary>The decoder's explanation, without the source.</summary>
    public string Reason { get; }
}
