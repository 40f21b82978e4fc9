using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MLNetClip.Transforms.Saving;

/// <summary>
/// Format of what our transforms add to an ML.NET model zip, version 1.
///
/// ML.NET's own part of the zip holds, for each of our transforms, only a placeholder: a
/// CustomMapping with the contract <see cref="SlotFactory.ContractName"/> (third-party
/// transformers cannot write their own state through ML.NET's public API). Beside it, under
/// <c>mlnetclip/</c> in the same zip:
/// <list type="bullet">
/// <item><c>mlnetclip/manifest.json</c>: this record. <c>transforms[i]</c> describes the i-th
/// placeholder in save order (a depth-first walk of the transformer chain); its <c>kind</c> names
/// the transform, <c>settings</c> its columns and options, <c>model</c> an index into <c>models</c>
/// or -1, <c>arrays</c> names of float arrays it reads.</item>
/// <item><c>mlnetclip/models/K/</c>: model K as a Hugging Face CLIP folder (config.json,
/// model.safetensors, and vocab.json + merges.txt when the model has its own tokenizer).</item>
/// <item><c>mlnetclip/arrays/NAME.f32</c>: little-endian float32 values, row-major, with the
/// shape in <see cref="ArrayEntry.Shape"/>.</item>
/// </list>
/// Every entry's SHA-256 is recorded in <see cref="Sha256"/>, so a missing or altered entry fails
/// the load with one message naming it.
/// </summary>
internal sealed record ArchiveManifest
{
    public const string Root = "mlnetclip/";
    public const string ManifestEntry = Root + "manifest.json";
    public const string FormatName = "mlnetclip.mlnet";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>Model folders: for each, the entry names (relative to <c>mlnetclip/models/K/</c>) it holds.</summary>
    public List<List<string>> Models { get; init; } = [];

    public List<TransformEntry> Transforms { get; init; } = [];

    public Dictionary<string, ArrayEntry> Arrays { get; init; } = [];

    /// <summary>SHA-256 (lower-case hex) of every entry under <c>mlnetclip/</c> but the manifest, by full entry name.</summary>
    public Dictionary<string, string> Sha256 { get; init; } = [];

    public static string ModelEntry(int model, string file) => $"{Root}models/{model}/{file}";

    public static string ArrayEntryName(string name) => $"{Root}arrays/{name}.f32";

}

/// <summary>
/// The manifest's JSON contract, source-generated (trim-safe: the device route publishes trimmed).
/// camelCase keys, enums by name.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ArchiveManifest))]
[JsonSerializable(typeof(Embedding.ImageEmbeddingSettings))]
[JsonSerializable(typeof(Embedding.TextEmbeddingSettings))]
[JsonSerializable(typeof(ZeroShot.ZeroShotSettings))]
internal sealed partial class ArchiveJson : JsonSerializerContext;

/// <summary>One placeholder's transform: its kind, its settings (as JSON), the model it runs.</summary>
internal sealed record TransformEntry(string Kind, JsonNode Settings, int Model);

/// <summary>A float array's shape.</summary>
internal sealed record ArrayEntry(long[] Shape);
