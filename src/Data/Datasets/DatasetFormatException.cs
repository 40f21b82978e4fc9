namespace MLNetClip.Data.Datasets;

/// <summary>
/// A dataset file is malformed. The message names the file and the place within it
/// (a line and column of a manifest, a member and byte offset of a tar shard) and what was expected.
/// </summary>
public class DatasetFormatException : IOException
{
    public DatasetFormatException(string file, string location, string message, Exception? inner = null)
        : base($"{file}: {location}: {message}", inner)
    {
        FilePath = file;
        Location = location;
    }

    /// <summary>The file that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>Where in the file, in words ("line 4, column 'title'", "member 'a.jpg' at byte 1536").</summary>
    public string Location { get; }
}
