using System.Text.Json;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// What a checkpoint folder holds (format version 1; nothing is pickled):
/// <list type="bullet">
/// <item><c>method.safetensors</c>: the method's state dict: <c>model.*</c> (the online CLIP) and
/// whatever else the method keeps (EMA teacher, decoders), by module name;</item>
/// <item><c>optimizer.safetensors</c>: AdamW's state: <c>step</c> (updates applied, for the bias
/// correction) and <c>G.I.exp_avg</c> / <c>G.I.exp_avg_sq</c> for parameter I of group G
/// (group 0 decays, group 1 does not);</item>
/// <item><c>checkpoint.json</c>: a <see cref="CheckpointManifest"/>: steps done, the loader position,
/// the skipped-step counters, the mask generator's state and the resolved config.</item>
/// </list>
/// </summary>
internal static class TrainingCheckpoint
{
    public const string MethodFile = "method.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string ManifestFile = "checkpoint.json";

    public static void Save(TrainingState state, RunConfig config, string folder)
    {
        SaveTensors(Path.Combine(folder, MethodFile), state.Method.StateDict());
        SaveTensors(Path.Combine(folder, OptimizerFile), state.Optimizer.StateDict());
        using var generatorState = state.Generator.GetState();
        var manifest = new CheckpointManifest
        {
            Step = state.Step,
            Epoch = state.Epoch,
            BatchInEpoch = state.BatchInEpoch,
            SkippedSteps = state.SkippedSteps,
            ConsecutiveBadSteps = state.ConsecutiveBadSteps,
            WorldSize = state.WorldSize,
            Method = state.Method.Name,
            MaskGeneratorState = Convert.ToBase64String(generatorState.ToBytes()),
            Config = config,
        };
        using var file = new FileStream(Path.Combine(folder, ManifestFile), FileMode.CreateNew, FileAccess.Write);
        JsonSerializer.Serialize(file, manifest, PretrainJson.Default.CheckpointManifest);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Restores <paramref name="state"/> (built from the same config) to the checkpoint in <paramref name="folder"/>.</summary>
    public static CheckpointManifest Load(string folder, TrainingState state)
    {
        var manifest = ReadManifest(folder);
        if (manifest.Method != state.Method.Name)
            throw new InvalidDataException($"{folder}: the checkpoint is of method '{manifest.Method}', not '{state.Method.Name}'");
        using (var weights = SafeTensors.Load(Path.Combine(folder, MethodFile)))
            state.Method.LoadStateDict(weights.Tensors);
        using (var moments = SafeTensors.Load(Path.Combine(folder, OptimizerFile)))
            state.Optimizer.LoadStateDict(moments.Tensors);
        var bytes = Convert.FromBase64String(manifest.MaskGeneratorState);
        using (var generatorState = Tensor.FromBytes(bytes, ScalarType.UInt8, bytes.Length))
            state.Generator.SetState(generatorState);
        state.Step = manifest.Step;
        state.Epoch = manifest.Epoch;
        state.BatchInEpoch = manifest.BatchInEpoch;
        state.SkippedSteps = manifest.SkippedSteps;
        state.ConsecutiveBadSteps = manifest.ConsecutiveBadSteps;
        return manifest;
    }

    public static CheckpointManifest ReadManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestFile);
        try
        {
            var manifest = JsonSerializer.Deserialize(File.ReadAllText(path), PretrainJson.Default.CheckpointManifest)
                ?? throw new InvalidDataException($"{path}: empty checkpoint manifest");
            if (manifest.FormatVersion != CheckpointManifest.CurrentFormat)
                throw new InvalidDataException($"{path}: checkpoint format {manifest.FormatVersion}; this build reads {CheckpointManifest.CurrentFormat}");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a checkpoint manifest ({e.Path}): {e.Message}");
        }
    }

    private static void SaveTensors(string path, Dictionary<string, Tensor> tensors)
    {
        try
        {
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "mlnetclip-checkpoint-1" });
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}

/// <summary>checkpoint.json: where a run stood when its checkpoint was written (see <see cref="TrainingCheckpoint"/>).</summary>
public sealed record CheckpointManifest
{
    public const int CurrentFormat = 1;

    public int FormatVersion { get; init; } = CurrentFormat;

    /// <summary>Optimisation steps done, applied or skipped.</summary>
    public required long Step { get; init; }

    /// <summary>The loader position: the epoch of the next batch and the batches of it already used.</summary>
    public required int Epoch { get; init; }
    public required int BatchInEpoch { get; init; }

    public required long SkippedSteps { get; init; }
    public required int ConsecutiveBadSteps { get; init; }

    /// <summary>
    /// Data-parallel ranks of the run that wrote it (absent in older files: 1). Each rank's batch
    /// index counts batches of that many ranks, so a resume with another count re-derives it.
    /// </summary>
    public int WorldSize { get; init; } = 1;

    public required string Method { get; init; }

    /// <summary>The method's mask generator (libtorch's generator state bytes, base64).</summary>
    public required string MaskGeneratorState { get; init; }

    public required RunConfig Config { get; init; }
}
