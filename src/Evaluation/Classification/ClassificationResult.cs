namespace MLNetClip.Evaluation.Classification;

/// <summary>
/// Accuracy figures of a classifier over a labelled set.
/// </summary>
/// <param name="Samples">How many samples were scored.</param>
/// <param name="Top1">Share of samples whose prediction is the label.</param>
/// <param name="Top5">Share whose label is among the five best-scored classes (all classes when there are fewer than five).</param>
/// <param name="BalancedAccuracy">Mean over the classes that have samples of each class's top-1 recall; classes without samples are left out (a recall of 0/0 has no value).</param>
/// <param name="ClassesWithSamples">How many classes entered <paramref name="BalancedAccuracy"/>.</param>
/// <param name="Confusion">Counts [truth, prediction], classes × classes.</param>
public sealed record ClassificationResult(int Samples, double Top1, double Top5, double BalancedAccuracy, int ClassesWithSamples, long[,] Confusion)
{
    /// <summary>Top-1 recall of each class, NaN for a class without samples.</summary>
    public double[] PerClassRecall() => ClassificationMetrics.Recalls(Confusion);
}
