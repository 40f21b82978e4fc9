using MLNetClip.Torch;

namespace MLNetClip.Models;

/// <summary>
/// Reads and writes Hugging Face CLIPModel directories: config.json (<see cref="HfClipConfig"/>)
/// and model.safetensors under Hugging Face's parameter names (<see cref="HfClipNames"/>).
/// </summary>
public static class HuggingFaceClip
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";

    /// <summary>Builds the model that DIR/config.json describes and loads DIR/model.safetensors into it.</summary>
    public static Clip Load(string directory)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{directory} is not a Hugging Face model directory: {ConfigFile} is missing", configPath);
        if (!File.Exists(weightsPath))
        {
            var hint = File.Exists(Path.Combine(directory, WeightsFile + ".index.json")) ? " (sharded checkpoints are not supported)"
                : File.Exists(Path.Combine(directory, "pytorch_model.bin")) ? " (only safetensors weights are read, not pytorch_model.bin)"
                : "";
            throw new FileNotFoundException($"{directory}: {WeightsFile} is missing{hint}", weightsPath);
        }

        var model = new Clip(HfClipConfig.Read(configPath));
        try
        {
            using var file = SafeTensors.Load(weightsPath);
            LoadWeights(model, file.Tensors, weightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Copies Hugging Face-named tensors into <paramref name="model"/>; every mismatch is reported in one exception.</summary>
    public static void LoadWeights(Clip model, IReadOnlyDictionary<string, Tensor> hfTensors, string origin)
    {
        var rules = model.NamedParameters()
            .Select(p => new WeightRule(p.Key, HfClipNames.ToHf(p.Key), p.Value.Shape))
            .ToList();
        WeightImporter.Apply(model, hfTensors, rules, HfClipNames.IsIgnorable, origin);
    }

    /// <summary>The model's parameters under Hugging Face's names (new handles sharing storage; dispose them).</summary>
    public static Dictionary<string, Tensor> ToHfStateDict(Clip model)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in model.StateDict())
            result[HfClipNames.ToHf(name)] = t;
        return result;
    }

    /// <summary>Writes DIR/config.json and DIR/model.safetensors, creating DIR if needed.</summary>
    public static void Save(Clip model, string directory)
    {
        Directory.CreateDirectory(directory);
        HfClipConfig.Write(Path.Combine(directory, ConfigFile), model.Options);
        var state = ToHfStateDict(model);
        try
        {
            SafeTensors.Save(Path.Combine(directory, WeightsFile), state, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }
}
