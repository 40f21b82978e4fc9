using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MLNetClip.Trainers;

/// <summary>One grid point's cross-validated figures (means and standard deviations over the folds).</summary>
public sealed record ProbeSweepEntry(ProbeTrainer Trainer, float L2, double MicroAccuracy, double MicroAccuracyStd, double MacroAccuracy, double LogLoss);

/// <summary>The leaderboard (best first) and the best grid point refitted on all the data.</summary>
public sealed record ProbeSweepResult(IReadOnlyList<ProbeSweepEntry> Leaderboard, ProbeSweepEntry Best,
    IEstimator<ITransformer> BestEstimator, ITransformer BestModel);

/// <summary>
/// A small AutoML-style search for a linear probe on frozen features (Microsoft.ML.AutoML is not
/// served here): every trainer × L2 strength is cross-validated with ML.NET's own
/// <c>CrossValidate</c> on the same folds, ranked by mean micro-accuracy (ties: lower log-loss,
/// then grid order), and the winner is refitted on all rows.
/// </summary>
public static class ProbeSweep
{
    public static ProbeSweepResult Run(MLContext ml, IDataView data, ProbeSweepOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ProbeSweepOptions();
        options.Validate();
        CheckColumns(data.Schema, options);
        var entries = new List<(ProbeSweepEntry Entry, IEstimator<ITransformer> Estimator)>();
        foreach (var trainer in options.Trainers)
            foreach (var l2 in options.L2Strengths)
            {
                var estimator = Create(ml, trainer, l2, options);
                var folds = ml.MulticlassClassification.CrossValidate(data, estimator, options.Folds, options.LabelColumnName, seed: options.Seed);
                var micro = folds.Select(f => f.Metrics.MicroAccuracy).ToList();
                var mean = micro.Average();
                var std = Math.Sqrt(micro.Sum(m => (m - mean) * (m - mean)) / micro.Count);
                entries.Add((new ProbeSweepEntry(trainer, l2, mean, std, folds.Average(f => f.Metrics.MacroAccuracy),
                    folds.Average(f => f.Metrics.LogLoss)), estimator));
            }
        var ranked = entries.OrderByDescending(e => e.Entry.MicroAccuracy).ThenBy(e => e.Entry.LogLoss).ToList();
        var best = ranked[0];
        return new ProbeSweepResult(ranked.Select(e => e.Entry).ToList(), best.Entry, best.Estimator, best.Estimator.Fit(data));
    }

    private static IEstimator<ITransformer> Create(MLContext ml, ProbeTrainer trainer, float l2, ProbeSweepOptions o) => trainer switch
    {
        ProbeTrainer.LbfgsMaximumEntropy => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(
            new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = o.LabelColumnName, FeatureColumnName = o.FeatureColumnName, L2Regularization = l2, L1Regularization = 0,
            }),
        ProbeTrainer.SdcaMaximumEntropy => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(
            new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                // SDCA needs a strictly positive L2; 0 in the grid means "as weak as it goes".
                LabelColumnName = o.LabelColumnName, FeatureColumnName = o.FeatureColumnName, L2Regularization = Math.Max(l2, 1e-8f),
                L1Regularization = 0, NumberOfThreads = 1,
            }),
        _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "unknown probe trainer"),
    };

    private static void CheckColumns(DataViewSchema schema, ProbeSweepOptions o)
    {
        var features = schema.GetColumnOrNull(o.FeatureColumnName)
                       ?? throw new ArgumentOutOfRangeException(nameof(schema), $"ProbeSweep: feature column '{o.FeatureColumnName}' not found; expected a known-size Vector<Single>");
        if (features.Type is not VectorDataViewType { ItemType: var item, IsKnownSize: true } || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema), $"ProbeSweep: feature column '{o.FeatureColumnName}' is {features.Type}; expected a known-size Vector<Single>");
        var label = schema.GetColumnOrNull(o.LabelColumnName)
                    ?? throw new ArgumentOutOfRangeException(nameof(schema), $"ProbeSweep: label column '{o.LabelColumnName}' not found; expected a key (MapValueToKey)");
        if (label.Type is not KeyDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema), $"ProbeSweep: label column '{o.LabelColumnName}' is {label.Type}; expected a key (MapValueToKey)");
    }
}
