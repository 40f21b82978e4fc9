using MLNetClip.Reports.Charts;

namespace MLNetClip.Reports.Runs;

/// <summary>
/// The charts of a run's metrics against the step: the total loss with every loss term (keys
/// ending in "Loss"), the learning rate, the logit scale, throughput, gradient norm, peak memory,
/// and one chart for each other logged number (a method's extra terms, such as EmaMomentum).
/// </summary>
public static class TrainingCurves
{
    // Bookkeeping keys: they describe the log line, not the training.
    private static readonly HashSet<string> NotCurves = ["step", "totalSteps", "epoch", "skippedSteps", "elapsedSeconds"];

    private static readonly (string Key, string Title, string YLabel)[] Known =
    [
        ("lr", "Learning rate", "learning rate"),
        ("logitScale", "Logit scale", "exp(logit scale)"),
        ("imagesPerSecond", "Throughput", "images / s"),
        ("gradNorm", "Gradient norm", "global L2 norm"),
    ];

    public static IReadOnlyList<LineChart> Charts(TrainingMetrics metrics)
    {
        var charts = new List<LineChart>();
        // The total first, then its terms in logged order.
        var lossKeys = metrics.Keys.Where(k => k == "loss").Concat(metrics.Keys.Where(k => k.EndsWith("Loss", StringComparison.Ordinal))).ToList();
        if (lossKeys.Count > 0)
            charts.Add(Chart("Loss", "loss", lossKeys.Select(k => metrics.Series(k)).ToList()));
        foreach (var (key, title, label) in Known.Where(k => metrics.Keys.Contains(k.Key)))
            charts.Add(Chart(title, label, [metrics.Series(key)]));
        if (metrics.Keys.Contains("peakMemoryBytes"))
            charts.Add(Chart("Peak memory", "MiB", [metrics.Series("peakMemoryBytes", "peak memory", b => b / (1024.0 * 1024))]));
        var shown = new HashSet<string>(lossKeys.Concat(Known.Select(k => k.Key)).Append("peakMemoryBytes").Concat(NotCurves));
        foreach (var key in metrics.Keys.Where(k => !shown.Contains(k)))
            charts.Add(Chart(key, key, [metrics.Series(key)]));
        return charts;
    }

    private static LineChart Chart(string title, string yLabel, IReadOnlyList<ChartSeries> series) => new()
    {
        Title = title,
        XLabel = "step",
        YLabel = yLabel,
        Series = series,
        XFromZero = true,
    };
}
