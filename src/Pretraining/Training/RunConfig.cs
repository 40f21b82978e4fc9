using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// A run's resolved configuration, written once as OUT/config.json and copied into every
/// checkpoint. <b>Format</b> (version 1): <c>formatVersion</c>; <c>options</c>, every
/// <see cref="PretrainOptions"/> key as given (defaults filled in); <c>data</c>, what was read;
/// <c>totalSteps</c> and <c>warmupSteps</c>, the schedule actually run (for a <c>minutes</c> run,
/// the step count fixed by timing its first steps, so a resume repeats it exactly).
/// </summary>
public sealed record RunConfig
{
    public const int CurrentFormat = 1;

    public int FormatVersion { get; init; } = CurrentFormat;

    public required PretrainOptions Options { get; init; }

    public required DataDescription Data { get; init; }

    public required long TotalSteps { get; init; }

    public required long WarmupSteps { get; init; }

    // Keys that change speed or bookkeeping, never the numbers a run produces, may differ on resume.
    private static readonly HashSet<string> FreeOnResume =
        ["options.threads", "options.workers", "options.logEvery", "options.checkpointEvery", "options.keepCheckpoints"];

    public string ToJson() => JsonSerializer.Serialize(this, PretrainJson.Default.RunConfig);

    public static RunConfig FromJson(string json, string origin)
    {
        try
        {
            var config = JsonSerializer.Deserialize(json, PretrainJson.Default.RunConfig)
                ?? throw new InvalidDataException($"{origin}: empty run configuration");
            if (config.FormatVersion != CurrentFormat)
                throw new InvalidDataException($"{origin}: format version {config.FormatVersion}; this build reads version {CurrentFormat}");
            return config;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not a run configuration ({e.Path}): {e.Message}");
        }
    }

    /// <summary>
    /// Each key whose value differs from <paramref name="now"/>, as "key: old → new", over the
    /// options and the data; the resolved step counts are the recorded run's and not compared.
    /// </summary>
    public IReadOnlyList<string> Differences(RunConfig now)
    {
        var before = Flatten(this);
        var after = Flatten(now);
        var result = new List<string>();
        foreach (var key in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            if (FreeOnResume.Contains(key)) continue;
            var old = before.GetValueOrDefault(key, "(absent)");
            var current = after.GetValueOrDefault(key, "(absent)");
            if (old != current) result.Add($"{key}: {old} → {current}");
        }
        return result;
    }

    private static Dictionary<string, string> Flatten(RunConfig config)
    {
        var root = JsonSerializer.SerializeToNode(config, PretrainJson.Default.RunConfig)!.AsObject();
        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(root["options"], "options", flat);
        Walk(root["data"], "data", flat);
        return flat;
    }

    private static void Walk(JsonNode? node, string key, Dictionary<string, string> flat)
    {
        if (node is JsonObject obj)
        {
            foreach (var (name, child) in obj) Walk(child, $"{key}.{name}", flat);
            return;
        }
        flat[key] = node?.ToJsonString() ?? "null";
    }
}

/// <summary>What a run reads: the source as described by the loader, the row filters, and its size when known.</summary>
public sealed record DataDescription
{
    /// <summary>The source, e.g. "manifest /data/emoji/emoji.tsv where split=train".</summary>
    public required string Source { get; init; }

    /// <summary>Records in the source after filtering; null for shards read as a stream.</summary>
    public long? Samples { get; init; }
}
