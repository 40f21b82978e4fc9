using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// Reads <see cref="PretrainOptions"/> from a JSON file (<c>pretrain --config</c>). Keys are the
/// documented option names, camel-cased, with method sections nested (<c>"maskClip": { … }</c>);
/// absent keys keep their defaults. An unknown key fails naming it and the closest valid key;
/// a value of the wrong type fails naming the key and the type expected.
/// </summary>
public static class OptionsFile
{
    public static PretrainOptions Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file '{path}' does not exist", path);
        var json = File.ReadAllText(path);
        return Parse(json, path);
    }

    /// <summary>Parses JSON text; <paramref name="origin"/> names it in messages.</summary>
    public static PretrainOptions Parse(string json, string origin)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not valid JSON ({Where(e)}): {FirstSentence(e.Message)}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{origin}: expected a JSON object of options, found {document.RootElement.ValueKind}");
            CheckKeys(document.RootElement, PretrainJson.Default.PretrainOptions, "", origin);
            // The file is laid over the defaults: the generated reader would set every init-only
            // property it does not find to zero rather than leave its default.
            var merged = JsonSerializer.SerializeToNode(new PretrainOptions(), PretrainJson.Default.PretrainOptions)!.AsObject();
            Overlay(merged, JsonObject.Create(document.RootElement)!);
            try
            {
                return merged.Deserialize(PretrainJson.Default.PretrainOptions)
                    ?? throw new InvalidDataException($"{origin}: expected a JSON object of options, found null");
            }
            catch (JsonException e)
            {
                var key = (e.Path ?? "$").TrimStart('$').TrimStart('.');
                throw new InvalidDataException($"{origin}: the value of '{key}' must be {Expected(key)}");
            }
        }
    }

    private static void Overlay(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source.ToList())
        {
            if (value is JsonObject section && target[key] is JsonObject defaults) Overlay(defaults, section);
            else target[key] = value?.DeepClone();
        }
    }

    /// <summary>Every valid key, dotted for nested sections ("maskClip.maskRatio").</summary>
    public static IReadOnlyList<string> Keys() => KeysOf(PretrainJson.Default.PretrainOptions, "").ToList();

    private static IEnumerable<string> KeysOf(JsonTypeInfo info, string prefix)
    {
        foreach (var p in info.Properties)
        {
            var key = prefix + p.Name;
            yield return key;
            if (Section(p) is { } nested)
                foreach (var k in KeysOf(nested, key + ".")) yield return k;
        }
    }

    private static void CheckKeys(JsonElement element, JsonTypeInfo info, string prefix, string origin)
    {
        foreach (var member in element.EnumerateObject())
        {
            var property = info.Properties.FirstOrDefault(p => p.Name == member.Name);
            if (property is null)
            {
                // Nearest by leaf name over every level, so a key put in the wrong section is found too.
                var valid = Keys();
                var nearest = ClosestName.Find(member.Name, valid.Select(k => k[(k.LastIndexOf('.') + 1)..]));
                var suggestion = valid.Where(k => k == nearest || k.EndsWith("." + nearest, StringComparison.Ordinal))
                    .OrderBy(k => k.StartsWith(prefix, StringComparison.Ordinal) ? 0 : 1).FirstOrDefault();
                throw new InvalidDataException($"{origin}: unknown option '{prefix}{member.Name}'" +
                    (suggestion is null ? "" : $"; did you mean '{suggestion}'?"));
            }
            if (Section(property) is { } nested && member.Value.ValueKind == JsonValueKind.Object)
                CheckKeys(member.Value, nested, prefix + member.Name + ".", origin);
        }
    }

    // A nested options record (an object section), as opposed to a number, string or flag.
    private static JsonTypeInfo? Section(JsonPropertyInfo p)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        if (type.IsPrimitive || type == typeof(string) || type == typeof(decimal)) return null;
        var info = PretrainJson.Default.GetTypeInfo(type);
        return info?.Kind == JsonTypeInfoKind.Object ? info : null;
    }

    private static string Expected(string key)
    {
        JsonTypeInfo? info = PretrainJson.Default.PretrainOptions;
        JsonPropertyInfo? property = null;
        foreach (var part in key.Split('.'))
        {
            property = info?.Properties.FirstOrDefault(p => p.Name == part);
            if (property is null) return "of the documented type";
            info = Section(property);
        }
        var type = Nullable.GetUnderlyingType(property!.PropertyType) ?? property.PropertyType;
        var nullable = property.PropertyType != type || !type.IsValueType ? " (or null)" : "";
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Int32 or TypeCode.Int64 => "a whole number" + nullable,
            TypeCode.Double or TypeCode.Single => "a number" + nullable,
            TypeCode.Boolean => "true or false",
            TypeCode.String => "a string",
            _ => "an object of options",
        };
    }

    private static string Where(JsonException e) =>
        e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : "position unknown";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
