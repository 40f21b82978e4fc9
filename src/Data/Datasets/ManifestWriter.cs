using System.Text;

namespace MLNetClip.Data.Datasets;

/// <summary>
/// Writes a delimited manifest that <see cref="ManifestSource"/> (and pandas) read back unchanged:
/// a field holding the separator, a quote or a line break is quoted per RFC 4180.
/// The rows go to a temporary file that <see cref="Commit"/> renames into place, so a reader
/// never sees half a manifest and an interrupted writer leaves nothing behind under the real name.
/// </summary>
public sealed class ManifestWriter : IDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private readonly StreamWriter _writer;
    private readonly int _columns;
    private readonly char _separator;
    private readonly char? _quote;
    private bool _done;

    public ManifestWriter(string path, IReadOnlyList<string> columns, char separator = '\t', char? quote = '"')
    {
        if (columns.Count == 0) throw new ArgumentException("a manifest needs at least one column", nameof(columns));
        _path = Path.GetFullPath(path);
        _temp = _path + ".partial";
        _columns = columns.Count;
        _separator = separator;
        _quote = quote;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _writer = new StreamWriter(_temp, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        WriteRow(columns);
    }

    /// <summary>Appends one row; it must have as many fields as the header.</summary>
    public void WriteRow(IReadOnlyList<string> fields)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (fields.Count != _columns)
            throw new ArgumentException($"a row of {fields.Count} fields was written to a manifest of {_columns} columns", nameof(fields));
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) _writer.Write(_separator);
            WriteField(fields[i]);
        }
        _writer.WriteLine();
    }

    /// <summary>Flushes and moves the finished manifest to its real name, replacing any older one.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _writer.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _done = true;
    }

    /// <summary>Without a <see cref="Commit"/>, the partial file is removed.</summary>
    public void Dispose()
    {
        if (_done) return;
        _done = true;
        _writer.Dispose();
        File.Delete(_temp);
    }

    private void WriteField(string value)
    {
        var needsQuotes = value.Contains(_separator) || value.Contains('\n') || value.Contains('\r')
                          || (_quote is { } q && value.StartsWith(q));
        if (!needsQuotes)
        {
            _writer.Write(value);
            return;
        }
        if (_quote is not { } quote)
            throw new ArgumentException($"the field \"{value}\" holds a separator or line break, and quoting is off");
        _writer.Write(quote);
        _writer.Write(value.Replace(quote.ToString(), new string(quote, 2)));
        _writer.Write(quote);
    }
}
