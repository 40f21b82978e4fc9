using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Trainers;

namespace MLNetClip.Transforms.Tests;

/// <summary>ProbeSweep over a small separable problem: the grid, the ranking, ML.NET's own fold figures, the refit winner.</summary>
public class ProbeSweepTests
{
    public sealed class Point
    {
        [VectorType(4)] public float[] Features { get; set; } = [];
        public uint Class { get; set; }
    }

    private static IDataView Data(MLContext ml)
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 90).Select(i =>
        {
            var c = i % 3;
            return new Point { Class = (uint)c, Features = Enumerable.Range(0, 4).Select(d => (d == c ? 2f : 0f) + (float)(random.NextDouble() - 0.5)).ToArray() };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Conversion.MapValueToKey("Label", nameof(Point.Class)).Fit(data).Transform(data);
    }

    [Fact]
    public void TheLeaderboardRanksEveryGridPointByMLNetsCrossValidation()
    {
        var ml = new MLContext(seed: 0);
        var data = Data(ml);
        var options = new ProbeSweepOptions { L2Strengths = [1e-3f, 10f], Folds = 3, Seed = 1 };
        var result = ProbeSweep.Run(ml, data, options);

        Assert.Equal(4, result.Leaderboard.Count);
        Assert.Equal(result.Leaderboard.OrderByDescending(e => e.MicroAccuracy).Select(e => e.MicroAccuracy), result.Leaderboard.Select(e => e.MicroAccuracy));
        Assert.Same(result.Best, result.Leaderboard[0]);
        Assert.True(result.Best.MicroAccuracy > 0.9, $"best {result.Best.MicroAccuracy}");

        var lbfgs = result.Leaderboard.Single(e => e.Trainer == ProbeTrainer.LbfgsMaximumEntropy && e.L2 == 10f);
        var manual = ml.MulticlassClassification.CrossValidate(data, ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(l2Regularization: 10f, l1Regularization: 0),
            3, "Label", seed: 1);
        Assert.Equal(manual.Average(f => f.Metrics.MicroAccuracy), lbfgs.MicroAccuracy, 12);

        var predicted = result.BestModel.Transform(data).GetColumn<uint>("PredictedLabel").ToList();
        var truth = data.GetColumn<uint>("Label").ToList();
        Assert.True(predicted.Zip(truth).Count(p => p.First == p.Second) > 80);
    }

    [Fact]
    public void AFeatureOrLabelColumnOfTheWrongTypeFailsNamingIt()
    {
        var ml = new MLContext(seed: 0);
        var data = Data(ml);
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => ProbeSweep.Run(ml, data, new ProbeSweepOptions { LabelColumnName = nameof(Point.Class) }));
        Assert.Contains("label column 'Class' is UInt32; expected a key", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => ProbeSweep.Run(ml, data, new ProbeSweepOptions { FeatureColumnName = "Nope" }));
        Assert.Contains("feature column 'Nope' not found", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeSweep.Run(ml, data, new ProbeSweepOptions { Folds = 1 }));
    }
}
