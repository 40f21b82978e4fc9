using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Training;

/// <summary>What one step did: applied or skipped, and its terms (batch means, still on the device).</summary>
internal sealed class StepResult : IDisposable
{
    private StepResult(bool applied, double learningRate, int images, double gradNorm, double loss,
        string? badTerm, Dictionary<string, Tensor> terms)
    {
        IsApplied = applied;
        LearningRate = learningRate;
        Images = images;
        GradNorm = gradNorm;
        Loss = loss;
        BadTerm = badTerm;
        Terms = terms;
    }

    public static StepResult Applied(double lr, int images, double norm, double loss, Dictionary<string, Tensor> terms) =>
        new(true, lr, images, norm, loss, null, terms);

    public static StepResult Skipped(double lr, int images, string term, double value, Dictionary<string, Tensor> terms) =>
        new(false, lr, images, double.NaN, value, term, terms);

    public bool IsApplied { get; }
    public double LearningRate { get; }
    public int Images { get; }
    public double GradNorm { get; }

    /// <summary>The summed *Loss terms; for a skipped step, the non-finite value found.</summary>
    public double Loss { get; }

    /// <summary>For a skipped step, the first non-finite *Loss term, or "gradient norm".</summary>
    public string? BadTerm { get; }

    /// <summary>Every term the method returned, 0-d float32 tensors on the device.</summary>
    public IReadOnlyDictionary<string, Tensor> Terms { get; }

    public void Dispose()
    {
        foreach (var t in Terms.Values) t.Dispose();
    }
}
