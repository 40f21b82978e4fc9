namespace MLNetClip.Pretraining.Training;

/// <summary>
/// How a run reports as it goes; the console display lives with the caller. Called on the
/// training thread: <see cref="Stepped"/> after every step (no device values, so no
/// synchronisation), <see cref="Logged"/> every LogEvery steps with the read-back metrics.
/// </summary>
public interface IPretrainProgress
{
    void Started(PretrainStart start) { }

    void Stepped(long step, long totalSteps) { }

    void Logged(PretrainMetrics metrics) { }

    /// <summary>Occasional events: calibration, checkpoints, skipped steps.</summary>
    void Note(string message) { }
}

/// <summary>What a run is about to do.</summary>
public sealed record PretrainStart(string Method, string Device, long Parameters, long TotalSteps, long FirstStep,
    string? ResumedFrom, string Data, int Threads);

/// <summary>
/// One metrics.jsonl line: the mean of each term over the applied steps since the previous line,
/// and the state after <see cref="Step"/> steps.
/// </summary>
public sealed record PretrainMetrics
{
    public required long Step { get; init; }
    public required long TotalSteps { get; init; }
    public required int Epoch { get; init; }
    public required double LearningRate { get; init; }

    /// <summary>exp(logit_scale), the factor the logits are multiplied by (at most 100).</summary>
    public required double LogitScale { get; init; }

    /// <summary>Mean global gradient norm before clipping; NaN when every step in the window was skipped.</summary>
    public required double GradNorm { get; init; }

    /// <summary>Every term the method returned, by name, plus "loss" (the optimised sum).</summary>
    public required IReadOnlyDictionary<string, double> Terms { get; init; }

    public required double ImagesPerSecond { get; init; }

    /// <summary>Peak bytes: the CUDA caching allocator's peak, or the process's peak resident set on CPU.</summary>
    public required long PeakMemoryBytes { get; init; }

    /// <summary>"cuda" or "rss": which peak <see cref="PeakMemoryBytes"/> is.</summary>
    public required string MemoryKind { get; init; }

    public required long SkippedSteps { get; init; }
    public required double ElapsedSeconds { get; init; }
}

/// <summary>How a run ended.</summary>
public sealed record PretrainResult(long Steps, long TotalSteps, bool Cancelled, long SkippedSteps,
    string? LastCheckpoint, string? ModelDirectory, double ElapsedSeconds);
