using System.Text.Json;

namespace MLNetClip.Data.Emoji;

/// <summary>
/// The join of emoji-datasource's emoji.json (categories, skin-tone variants, per-set art flags)
/// with OpenMoji's openmoji.json (annotations, tags), on codepoints with FE0F removed.
/// The "Component" category is left out: its five members are the bare skin-tone swatches,
/// colour squares that are modifiers of other emoji rather than concepts of their own.
/// </summary>
public sealed class EmojiTable
{
    /// <summary>emoji.json's category that is excluded (see the class summary).</summary>
    public const string ExcludedCategory = "Component";

    private EmojiTable(IReadOnlyList<EmojiConcept> concepts, IReadOnlyList<string> dropped)
    {
        Concepts = concepts;
        Dropped = dropped;
    }

    public IReadOnlyList<EmojiConcept> Concepts { get; }

    /// <summary>One line per emoji or variant left out, and why.</summary>
    public IReadOnlyList<string> Dropped { get; }

    /// <summary>Removes FE0F (the emoji presentation selector) and upper-cases: "0023-fe0f-20e3" becomes "0023-20E3".</summary>
    public static string NormalizeCodepoints(string codepoints) =>
        string.Join('-', codepoints.ToUpperInvariant().Split('-').Where(p => p != "FE0F"));

    /// <summary>Joins the two JSON documents; <paramref name="emojiJsonName"/> and <paramref name="openMojiJsonName"/> name them in errors.</summary>
    public static EmojiTable Parse(byte[] emojiJson, string emojiJsonName, byte[] openMojiJson, string openMojiJsonName)
    {
        var annotations = ReadOpenMoji(openMojiJson, openMojiJsonName);
        using var doc = Parse(emojiJson, emojiJsonName);
        var concepts = new List<EmojiConcept>();
        var dropped = new List<string>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var unified = Text(e, "unified", emojiJsonName);
            var category = Text(e, "category", emojiJsonName);
            if (category == ExcludedCategory)
            {
                dropped.Add($"{unified}: category {ExcludedCategory}");
                continue;
            }
            var id = NormalizeCodepoints(unified);
            if (!annotations.TryGetValue(id, out var baseEntry))
            {
                dropped.Add($"{unified}: no OpenMoji entry");
                continue;
            }
            var images = new List<EmojiImage> { Image(e, id, baseEntry, emojiJsonName) };
            if (e.TryGetProperty("skin_variations", out var variations))
                foreach (var v in variations.EnumerateObject())
                {
                    var vid = NormalizeCodepoints(Text(v.Value, "unified", emojiJsonName));
                    if (annotations.TryGetValue(vid, out var ventry)) images.Add(Image(v.Value, vid, ventry, emojiJsonName));
                    else dropped.Add($"{vid}: skin-tone variant without an OpenMoji entry");
                }
            concepts.Add(new EmojiConcept(id, category, Text(e, "subcategory", emojiJsonName), baseEntry.Tags, images));
        }
        return new EmojiTable(concepts, dropped);
    }

    private sealed record OpenMojiEntry(string Hexcode, string Annotation, IReadOnlyList<string> Tags);

    private static Dictionary<string, OpenMojiEntry> ReadOpenMoji(byte[] json, string name)
    {
        using var doc = Parse(json, name);
        var entries = new Dictionary<string, OpenMojiEntry>(StringComparer.Ordinal);
        foreach (var o in doc.RootElement.EnumerateArray())
        {
            var hexcode = Text(o, "hexcode", name);
            var tags = (o.TryGetProperty("tags", out var t) ? t.GetString() ?? "" : "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            entries[NormalizeCodepoints(hexcode)] = new OpenMojiEntry(hexcode, Text(o, "annotation", name), tags);
        }
        return entries;
    }

    private static EmojiImage Image(JsonElement e, string codepoints, OpenMojiEntry om, string name) =>
        new(codepoints, Text(e, "image", name), om.Hexcode, om.Annotation,
            e.TryGetProperty("has_img_google", out var g) && g.ValueKind == JsonValueKind.True,
            e.TryGetProperty("has_img_twitter", out var t) && t.ValueKind == JsonValueKind.True);

    private static JsonDocument Parse(byte[] json, string name)
    {
        try
        {
            var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{name}: expected a JSON array of emoji at the top level");
            return doc;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: not valid JSON ({e.Message})", e);
        }
    }

    private static string Text(JsonElement e, string property, string name) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s
            : throw new InvalidDataException($"{name}: an entry has no string '{property}' ({Snippet(e)})");

    private static string Snippet(JsonElement e)
    {
        var raw = e.GetRawText();
        return raw.Length <= 80 ? raw : raw[..80] + "...";
    }
}
