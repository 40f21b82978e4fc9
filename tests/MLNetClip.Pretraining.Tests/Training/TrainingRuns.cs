using MLNetClip.Data.Datasets;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>Short ViT-Micro runs on generated data, and ways to read what they left on disk.</summary>
internal static class TrainingRuns
{
    /// <summary>40 samples at 32 px, batch 8: five batches an epoch.</summary>
    public static PretrainOptions Micro(long steps) => new()
    {
        Method = "clip",
        Preset = "ViT-Micro",
        Steps = steps,
        BatchSize = 8,
        Threads = 1,
        Workers = 1,
        LogEvery = 2,
        CheckpointEvery = 0,
        Seed = 3,
        LearningRate = 1e-3,
        WarmupSteps = 1,
    };

    /// <summary>A flat learning rate, so runs of different lengths take identical steps.</summary>
    public static PretrainOptions Flat(long steps) => Micro(steps) with { WarmupSteps = 0, MinLearningRate = 1e-3 };

    public static PretrainResult Run(PretrainOptions options, string manifest, string output, MethodFactory? method = null,
        bool resume = false, IPretrainProgress? progress = null, CancellationToken cancel = default) =>
        new Pretrainer(options, ManifestSource.Open(manifest), output, progress, method).Run(resume, cancel);

    /// <summary>Every tensor of a safetensors file as raw bytes, by name.</summary>
    public static Dictionary<string, byte[]> Tensors(string path)
    {
        using var file = SafeTensors.Load(path);
        return file.Tensors.ToDictionary(t => t.Key, t => t.Value.ToBytes());
    }

    public static void AssertSameTensors(string expectedPath, string actualPath)
    {
        var expected = Tensors(expectedPath);
        var actual = Tensors(actualPath);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var differing = expected.Keys.Where(k => !expected[k].AsSpan().SequenceEqual(actual[k])).ToList();
        Assert.True(differing.Count == 0, $"{differing.Count} tensors differ, e.g. {string.Join(", ", differing.Take(5))}");
    }

    public static string LastCheckpoint(string output) =>
        new CheckpointStore(Path.Combine(output, "checkpoints"), 1).Latest()?.Path ?? throw new InvalidOperationException("no checkpoint");
}

/// <summary>Cancels the run once it has done a given number of steps, as Ctrl+C would.</summary>
internal sealed class CancelAfter(long steps, CancellationTokenSource source) : IPretrainProgress
{
    public void Stepped(long step, long totalSteps)
    {
        if (step == steps) source.Cancel();
    }
}

/// <summary>Records what a run reported.</summary>
internal sealed class RecordingProgress : IPretrainProgress
{
    public List<PretrainMetrics> Metrics { get; } = new();
    public List<string> Notes { get; } = new();
    public PretrainStart? Start { get; private set; }

    public void Started(PretrainStart start) => Start = start;
    public void Logged(PretrainMetrics metrics) => Metrics.Add(metrics);
    public void Note(string message) => Notes.Add(message);
}
