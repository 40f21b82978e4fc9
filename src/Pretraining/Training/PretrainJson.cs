using System.Text.Json.Serialization;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// The JSON shapes a run reads and writes (options, config.json, checkpoint manifests), generated
/// at build time so trimmed builds keep every key. Keys are the camel-cased property names.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(PretrainOptions))]
[JsonSerializable(typeof(RunConfig))]
[JsonSerializable(typeof(CheckpointManifest))]
internal sealed partial class PretrainJson : JsonSerializerContext;
