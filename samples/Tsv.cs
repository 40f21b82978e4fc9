namespace MLNetClip.Samples;

/// <summary>A tab-separated manifest with a header row (emoji.tsv, a pretraining manifest): each row by column name; relative paths resolve against the file's folder.</summary>
internal static class Tsv
{
    public static List<Dictionary<string, string>> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new InvalidDataException($"{path}: empty; expected a header row");
        var header = lines[0].Split('\t');
        var root = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var rows = new List<Dictionary<string, string>>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = lines[i].Split('\t');
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var c = 0; c < header.Length && c < cells.Length; c++) row[header[c]] = cells[c];
            if (row.TryGetValue("filepath", out var file)) row["filepath"] = Path.Combine(root, file);
            rows.Add(row);
        }
        return rows;
    }

    public static string Column(Dictionary<string, string> row, string name, string path) =>
        row.TryGetValue(name, out var v) ? v : throw new InvalidDataException($"{path}: no column '{name}'");
}
