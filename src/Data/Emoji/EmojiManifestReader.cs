namespace MLNetClip.Data.Emoji;

/// <summary>Reading a finished manifest back into rows.</summary>
public static class EmojiManifestReader
{
    public static IReadOnlyList<EmojiRow> Read(string path)
    {
        var source = Datasets.ManifestSource.Open(path);
        var missing = EmojiManifest.Columns.Where(c => !source.Columns.Contains(c)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{path}: not an emoji benchmark manifest (missing columns {string.Join(", ", missing)})");
        return source.Select(r => new EmojiRow(r.Key, r.Caption ?? "", r.Metadata["category"], r.Metadata["subcategory"],
            r.Metadata["style"], r.Metadata["concept"], r.Metadata["split"], r.Metadata["codepoints"],
            int.Parse(r.Metadata["variant"], System.Globalization.CultureInfo.InvariantCulture))).ToList();
    }
}
