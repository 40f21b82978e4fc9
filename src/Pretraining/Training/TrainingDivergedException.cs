namespace MLNetClip.Pretraining.Training;

/// <summary>Too many consecutive steps with a non-finite loss or gradient: the run stopped.</summary>
public sealed class TrainingDivergedException(string message, long step, string term) : InvalidOperationException(message)
{
    /// <summary>The 1-based step that made the count reach MaxBadSteps.</summary>
    public long Step { get; } = step;

    /// <summary>The non-finite *Loss term, or "gradient norm".</summary>
    public string Term { get; } = term;
}
