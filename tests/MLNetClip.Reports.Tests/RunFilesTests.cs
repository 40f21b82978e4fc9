using MLNetClip.Reports.Runs;

namespace MLNetClip.Reports.Tests;

/// <summary>Reading metrics.jsonl and eval*.json back, including the damaged and unexpected cases.</summary>
public class RunFilesTests
{
    private static readonly string[] Lines =
    [
        """{"step":10,"totalSteps":30,"epoch":0,"lr":0.0004,"logitScale":14.23,"gradNorm":7.9,"ContrastiveLoss":4.24,"DistillLoss":0.41,"EmaMomentum":0.05,"loss":5.03,"imagesPerSecond":6.41,"peakMemoryBytes":486965248,"memory":"rss","skippedSteps":0,"elapsedSeconds":101.8}""",
        """{"step":20,"totalSteps":30,"epoch":0,"lr":0.0002,"logitScale":14.22,"gradNorm":null,"ContrastiveLoss":3.95,"DistillLoss":0.28,"EmaMomentum":0.33,"loss":4.43,"imagesPerSecond":6.79,"peakMemoryBytes":492498944,"memory":"rss","skippedSteps":1,"elapsedSeconds":196.1}""",
        """{"step":30,"totalSteps":30,"epoch":0,"lr":0.00000""",
    ];

    [Fact]
    public void Metrics_keep_every_number_turn_null_into_NaN_and_skip_a_cut_line()
    {
        var metrics = TrainingMetrics.Parse(Lines);

        Assert.Equal(2, metrics.Rows.Count);
        Assert.Equal(1, metrics.SkippedLines);
        Assert.DoesNotContain("memory", metrics.Keys);  // a string, not a curve
        Assert.True(double.IsNaN(metrics.Rows[1]["gradNorm"]));
        Assert.Equal([(10.0, 7.9), (20.0, double.NaN)], metrics.Series("gradNorm").Points);
        Assert.Equal([(10.0, 486965248 / 1048576.0), (20.0, 492498944 / 1048576.0)],
            metrics.Series("peakMemoryBytes", scale: b => b / 1048576.0).Points);
    }

    [Fact]
    public void Curves_put_the_loss_and_its_terms_together_and_every_other_number_on_its_own()
    {
        var charts = TrainingCurves.Charts(TrainingMetrics.Parse(Lines));

        Assert.Equal(["Loss", "Learning rate", "Logit scale", "Throughput", "Gradient norm", "Peak memory", "EmaMomentum"],
            charts.Select(c => c.Title));
        Assert.Equal(["loss", "ContrastiveLoss", "DistillLoss"], charts[0].Series.Select(s => s.Name));
        Assert.All(charts, c => Assert.Equal("step", c.XLabel));
        Assert.All(charts, c => Assert.All(c.Series, s => Assert.Equal(2, s.Points.Count)));
    }

    [Fact]
    public void Evaluation_files_give_their_figures_and_confusion_matrices()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetclip-eval-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "eval-zeroshot.json"), """
                { "task": "zeroshot", "top1": 0.5, "top5": 1, "balanced_accuracy": 0.41666666,
                  "image_to_text": { "R@1": 0.25 },
                  "classes": ["cat", "dog"], "confusion": [[3, 1], [0, 2]] }
                """);
            File.WriteAllText(Path.Combine(dir.FullName, "eval-broken.json"), "{ not json");
            File.WriteAllText(Path.Combine(dir.FullName, "metrics.json"), "{}");  // not eval*.json: ignored

            var files = EvaluationFile.FindIn(dir.FullName);

            Assert.Equal(["eval-broken.json", "eval-zeroshot.json"], files.Select(f => f.Name));
            Assert.StartsWith("not valid JSON", files[0].Error);
            var zeroShot = files[1];
            Assert.Null(zeroShot.Error);
            Assert.Equal([("task", "zeroshot"), ("top1", "0.5"), ("top5", "1"), ("balanced_accuracy", "0.4167"), ("image_to_text.R@1", "0.25")],
                zeroShot.Values);
            var confusion = Assert.Single(zeroShot.Confusions);
            Assert.Equal(["cat", "dog"], confusion.ClassNames);
            Assert.Equal(new long[,] { { 3, 1 }, { 0, 2 } }, confusion.Counts);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_confusion_member_that_is_not_a_square_count_table_stays_a_plain_value()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetclip-eval-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "eval.json"), """{ "confusion": [[1, 2, 3], [4, 5, 6]], "a": { "confusion": [[1.5]] } }""");
            var file = Assert.Single(EvaluationFile.FindIn(dir.FullName));
            Assert.Empty(file.Confusions);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
