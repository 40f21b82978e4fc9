using System.Text;

namespace MLNetClip.Cli;

/// <summary>
/// A plain-text table for terminals and logs alike: a header, a rule, then rows; the first column
/// is left-aligned, the others (numbers) right-aligned, columns two spaces apart.
/// </summary>
internal sealed class TextTable(params string[] header)
{
    private readonly List<string[]> _rows = [];

    public TextTable Add(params string[] cells)
    {
        if (cells.Length != header.Length) throw new ArgumentException($"a row of {cells.Length} cells in a table of {header.Length} columns");
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = Enumerable.Range(0, header.Length).Select(c => _rows.Append(header).Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        Line(text, header, widths);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows) Line(text, row, widths);
        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        var padded = cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
        text.AppendLine(string.Join("  ", padded).TrimEnd());
    }
}
