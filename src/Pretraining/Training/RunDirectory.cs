namespace MLNetClip.Pretraining.Training;

/// <summary>
/// A run's output folder:
/// <list type="bullet">
/// <item><c>config.json</c>: the resolved <see cref="RunConfig"/>, written when the run starts;</item>
/// <item><c>metrics.jsonl</c>: one JSON object per logged step (<see cref="MetricsLog"/>);</item>
/// <item><c>checkpoints/step-NNNNNNNN/</c>: the last few checkpoints (<see cref="CheckpointStore"/>);</item>
/// <item><c>model/</c>: the final CLIP in Hugging Face layout (config.json, model.safetensors).</item>
/// </list>
/// </summary>
public sealed class RunDirectory
{
    public RunDirectory(string path)
    {
        Root = Path.GetFullPath(path);
    }

    public string Root { get; }
    public string ConfigPath => Path.Combine(Root, "config.json");
    public string MetricsPath => Path.Combine(Root, "metrics.jsonl");
    public string CheckpointsPath => Path.Combine(Root, "checkpoints");
    public string ModelPath => Path.Combine(Root, "model");

    /// <summary>True when the folder holds a run's config.json.</summary>
    public bool HoldsRun => File.Exists(ConfigPath);

    /// <summary>The recorded configuration, or null when the folder holds no run.</summary>
    public RunConfig? ReadConfig() =>
        HoldsRun ? RunConfig.FromJson(File.ReadAllText(ConfigPath), ConfigPath) : null;

    /// <summary>
    /// Checks the folder can take a run of <paramref name="config"/>. A fresh run needs a missing
    /// or empty folder; resuming needs the recorded options and data to match (every difference is
    /// listed). Returns the recorded configuration when resuming one, else null.
    /// </summary>
    public RunConfig? CheckFor(RunConfig config, bool resume)
    {
        var recorded = ReadConfig();
        if (recorded is null)
        {
            if (Directory.Exists(Root) && Directory.EnumerateFileSystemEntries(Root).Any())
                throw new IOException($"{Root} is not empty and holds no run (no config.json); choose another --out");
            return null;
        }
        if (!resume)
            throw new IOException($"{Root} already holds a run (config.json); continue it with --resume, or choose another --out");
        var differences = recorded.Differences(config);
        if (differences.Count > 0)
            throw new InvalidDataException($"cannot resume {Root}: the run was started with other settings (recorded → now): " +
                $"{string.Join("; ", differences)}. Resume with the same settings, or choose another --out");
        return recorded;
    }

    /// <summary>Creates the folder and writes config.json (to a temporary name, then renamed).</summary>
    public void Start(RunConfig config)
    {
        Directory.CreateDirectory(Root);
        var temp = ConfigPath + ".partial";
        File.WriteAllText(temp, config.ToJson());
        File.Move(temp, ConfigPath, overwrite: true);
    }
}
