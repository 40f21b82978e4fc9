using System.Text;

namespace MLNetClip.Data.Datasets;

/// <summary>
/// Splits delimited text (TSV, CSV) into rows, following RFC 4180 for quoting: a field that
/// starts with a quote runs to the matching quote, may hold separators and line breaks, and
/// writes a literal quote as two. A quote inside an unquoted field is kept as text, as
/// pandas does, so captions such as <c>5" screen</c> in a TSV need no escaping.
/// Blank lines are skipped. Errors name the file, the line and the field.
/// </summary>
internal sealed class DelimitedReader
{
    private readonly TextReader _reader;
    private readonly string _file;
    private readonly char _separator;
    private readonly char? _quote;
    private int _line = 1;
    private int _peeked = -2;

    public DelimitedReader(TextReader reader, string file, char separator, char? quote)
    {
        if (separator is '\n' or '\r' || separator == quote)
            throw new ArgumentException($"'{separator}' cannot be a field separator", nameof(separator));
        _reader = reader;
        _file = file;
        _separator = separator;
        _quote = quote;
    }

    /// <summary>The next non-blank row and the line it starts on, or null at the end.</summary>
    public (string[] Fields, int Line)? ReadRow()
    {
        while (true)
        {
            if (Peek() < 0) return null;
            var start = _line;
            var fields = new List<string>();
            var field = new StringBuilder();
            var blank = true;
            while (true)
            {
                var c = Read();
                if (c < 0 || c == '\n' || c == '\r')
                {
                    if (c == '\r' && Peek() == '\n') Read();
                    if (c >= 0) _line++;
                    fields.Add(field.ToString());
                    break;
                }
                blank = false;
                if (c == _separator)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (c == _quote && field.Length == 0)
                {
                    ReadQuoted(field, start, fields.Count + 1);
                }
                else
                {
                    field.Append((char)c);
                }
            }
            if (!blank) return (fields.ToArray(), start);
        }
    }

    private void ReadQuoted(StringBuilder field, int startLine, int fieldNumber)
    {
        while (true)
        {
            var c = Read();
            if (c < 0)
                throw new DatasetFormatException(_file, $"line {startLine}, field {fieldNumber}",
                    "a quoted field is never closed (expected a closing quote before the end of the file)");
            if (c == '\n' || (c == '\r' && Peek() != '\n')) _line++;
            if (c != _quote)
            {
                field.Append((char)c);
                continue;
            }
            if (Peek() == _quote)
            {
                Read();
                field.Append((char)c);
                continue;
            }
            var next = Peek();
            if (next < 0 || next == _separator || next == '\n' || next == '\r') return;
            throw new DatasetFormatException(_file, $"line {_line}, field {fieldNumber}",
                $"unexpected '{(char)next}' after a closing quote (expected a separator or the end of the line; write a literal quote as two)");
        }
    }

    private int Peek()
    {
        if (_peeked == -2) _peeked = _reader.Read();
        return _peeked;
    }

    private int Read()
    {
        var c = Peek();
        _peeked = -2;
        return c;
    }
}
