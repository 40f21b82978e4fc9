using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.Shards;

/// <summary>
/// Turns the consecutive tar members that share a key (<c>dir/000042.jpg</c>, <c>dir/000042.txt</c>,
/// ...) into one record. WebDataset's rule for keys: the member path up to the first '.' of its
/// file name; the rest, lower-cased, is the extension.
/// Extensions used: jpg/jpeg/png/webp (the image), txt (the caption), json (metadata, and
/// the caption or label when there is no txt or cls), cls (an integer label).
/// </summary>
internal static class WebDatasetSample
{
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string> { "jpg", "jpeg", "png", "webp" };

    /// <summary>JSON fields that may hold the caption when a sample has no .txt member.</summary>
    private static readonly string[] CaptionFields = ["caption", "title", "text"];

    public static (string Key, string Extension) SplitName(string memberName)
    {
        var slash = memberName.LastIndexOf('/');
        var dot = memberName.IndexOf('.', slash + 1);
        return dot < 0 ? (memberName, "") : (memberName[..dot], memberName[(dot + 1)..].ToLowerInvariant());
    }

    /// <summary>Only the members a record is built from are worth keeping in memory.</summary>
    public static bool IsUsed(string memberName)
    {
        var ext = SplitName(memberName).Extension;
        return ImageExtensions.Contains(ext) || ext is "txt" or "json" or "cls";
    }

    /// <summary>
    /// Builds the record for one key. Missing or empty parts are left missing or empty (the
    /// loader decides what to skip); only the first image member of a sample is used.
    /// </summary>
    public static ImageTextRecord Build(string shard, string key, IReadOnlyList<TarEntry> members)
    {
        TarEntry? image = null, text = null, json = null, cls = null;
        foreach (var m in members)
        {
            var ext = SplitName(m.Name).Extension;
            if (ImageExtensions.Contains(ext)) image ??= m;
            else if (ext == "txt") text ??= m;
            else if (ext == "json") json ??= m;
            else if (ext == "cls") cls ??= m;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        string? caption = text is null ? null : TrimLineEnd(Encoding.UTF8.GetString(text.Data!));
        int? label = null;
        if (json is not null) ReadJson(json.Data!, metadata, ref caption, ref label);
        if (cls is not null)
        {
            var clsText = Encoding.UTF8.GetString(cls.Data!).Trim();
            if (int.TryParse(clsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) label = l;
            else metadata["cls_error"] = $"'{clsText}' is not an integer class";
        }

        var origin = $"{shard} member {(image ?? members[0]).Name}";
        return ImageTextRecord.FromBytes(key, origin, image?.Data, image is null ? null : SplitName(image.Name).Extension,
            caption, label, metadata);
    }

    private static void ReadJson(byte[] data, Dictionary<string, string> metadata, ref string? caption, ref int? label)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                metadata["json_error"] = "the .json member is not an object";
                return;
            }
            foreach (var p in doc.RootElement.EnumerateObject())
                metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            if (caption is null)
                foreach (var field in CaptionFields)
                    if (doc.RootElement.TryGetProperty(field, out var c) && c.ValueKind == JsonValueKind.String)
                    {
                        caption = c.GetString();
                        break;
                    }
            if (doc.RootElement.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out var li))
                label = li;
        }
        catch (JsonException e)
        {
            // One bad sidecar should cost one sample's metadata, not the shard.
            metadata["json_error"] = e.Message;
        }
    }

    private static string TrimLineEnd(string s) => s.TrimEnd('\n', '\r');
}
