using MLNetClip.Data.Datasets;

namespace MLNetClip.Evaluation.Data;

/// <summary>
/// Checks a manifest's header for the columns an evaluation needs before the data layer opens it,
/// so that a missing column is reported in its role ("no label column 'category'") rather than as
/// the data layer's caption column.
/// </summary>
internal static class ManifestHeader
{
    /// <summary>The header's column names, after checking that each needed one is there.</summary>
    public static IReadOnlyList<string> Require(string path, char separator, IReadOnlyList<(string Role, string Column)> needed)
    {
        var header = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0)
            ?? throw new DatasetFormatException(Path.GetFullPath(path), "line 1",
                $"the manifest is empty (expected a header naming the columns {string.Join(" and ", needed.Select(n => $"'{n.Column}'"))})");
        // Header names are plain words in practice; a quoted name loses its quotes, as the data layer reads it.
        var columns = header.Split(separator).Select(c => c.Trim().Trim('"')).ToList();
        foreach (var (role, column) in needed)
        {
            if (columns.Contains(column)) continue;
            throw new DatasetFormatException(Path.GetFullPath(path), "line 1",
                $"no {role} column '{column}'; the header has: {string.Join(", ", columns.Select(c => $"'{c}'"))}");
        }
        return columns;
    }
}
