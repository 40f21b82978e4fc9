using System.Text;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Cli.Tests;

/// <summary>
/// `demo` end to end at test scale: a twelve-picture emoji-like manifest, the smallest preset, two
/// steps per method and small probe subsamples; then the table's rows and columns, the numbers that
/// follow from the data alone (chance, pixel neighbours), and the files each run must hold.
/// </summary>
public class DemoCommandTests
{
    /// <summary>(picture, caption, category, split): the test-style pictures are exact copies of training pictures 0 and 1.</summary>
    private static readonly (int Picture, string Caption, string Category, string Split)[] Rows =
    [
        (0, "red cat", "Animals", "train"), (1, "green cat", "Animals", "train"), (2, "blue dog", "Animals", "train"),
        (3, "grinning face", "Smileys", "train"), (4, "crying face", "Smileys", "train"), (5, "winking face", "Smileys", "train"),
        (6, "brown horse", "Animals", "train"), (7, "sleepy face", "Smileys", "train"),
        (8, "white owl", "Animals", "val"), (9, "angry face", "Smileys", "val"),
        (10, "purple fish", "Animals", "test-concept"), (11, "orange bird", "Animals", "test-concept"), (12, "melting face", "Smileys", "test-concept"),
        (0, "red cat", "Animals", "test-style"), (1, "green cat", "Animals", "test-style"),
    ];

    [Fact]
    public void Demo_PrintsOneColumnPerModel_AndWritesEachRunsEvaluationsAndReport()
    {
        using var folder = new TempFolder();
        var data = WriteBenchmark(folder.File("emoji"));
        var runs = folder.File("runs");
        var (exit, output, error) = CliRunner.Run("--verbose", "demo", "--out", runs, "--data", data, "--preset", "ViT-Micro",
            "--epochs", "1", "--batch-size", "4", "--probe-train", "6", "--fashion-train", "60", "--fashion-test", "30");
        Assert.True(exit == 0, output + error);

        var lines = output.Split('\n');
        var header = lines.Single(l => l.TrimStart().StartsWith("chance", StringComparison.Ordinal));
        Assert.Equal(["chance", "pixels", "untrained", "clip", "maskclip"], header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var row in DemoScores.Rows) Assert.Single(lines, l => l.StartsWith(row, StringComparison.Ordinal));
        // Three unseen captions, one picture each: a random ranking finds the right one first a third of the time.
        // Pixel neighbours can never name an unseen concept, and find both copied pictures exactly.
        Assert.StartsWith("33.3%  0.0%", Cells(lines, DemoScores.ConceptI2T1));
        Assert.StartsWith("100.0%  0.0%", Cells(lines, DemoScores.ConceptI2T5));
        Assert.StartsWith("50.0%  100.0%", Cells(lines, DemoScores.StyleI2T1));
        Assert.StartsWith("33.3%  –", Cells(lines, DemoScores.ZeroShot));
        Assert.Equal("–  –  –  2  2", Cells(lines, "training steps"));  // 8 training rows in batches of 4
        Assert.Contains("not of the method", output);

        foreach (var run in new[] { "untrained", "clip", "maskclip" })
        {
            foreach (var name in new[] { "retrieval-concept", "zeroshot-concept", "retrieval-style", "probe-category", "probe-fashion-mnist" })
                Assert.True(File.Exists(Path.Combine(runs, run, $"eval-{name}.json")), $"{run}: eval-{name}.json is missing");
        }
        foreach (var run in new[] { "clip", "maskclip" })
            Assert.Contains("eval-retrieval-concept.json", File.ReadAllText(Path.Combine(runs, run, "report.html")));
    }

    /// <summary>The cells after a row's label, joined by two spaces.</summary>
    private static string Cells(string[] lines, string row) =>
        string.Join("  ", lines.Single(l => l.StartsWith(row, StringComparison.Ordinal))[row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string WriteBenchmark(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "images"));
        var text = new StringBuilder("filepath\ttitle\tcategory\tsplit\n");
        foreach (var (picture, caption, category, split) in Rows)
        {
            var path = $"images/{picture:D2}.png";
            var full = Path.Combine(directory, path);
            if (!File.Exists(full)) File.WriteAllBytes(full, TrainingTestData.Png(24, 24, Noise(picture)));
            text.Append($"{path}\t{caption}\t{category}\t{split}\n");
        }
        File.WriteAllText(Path.Combine(directory, "emoji.tsv"), text.ToString());
        return directory;
    }

    private static byte[] Noise(int picture)
    {
        var random = new Random(picture);
        var pixels = new byte[24 * 24 * 3];
        random.NextBytes(pixels);
        return pixels;
    }
}

/// <summary>The chance column's recall against hand counts with several positives per query.</summary>
public class DemoChanceTests
{
    [Fact]
    public void ChanceRecall_CountsEveryPositive()
    {
        // Image a has captions x and y; images b and c share z. Three texts, three images.
        var rows = new[] { ("a", "x"), ("a", "y"), ("b", "z"), ("c", "z") }
            .Select(r => new MLNetClip.Evaluation.Data.EvaluationRow(
                MLNetClip.Data.Datasets.ImageTextRecord.FromFile(r.Item1, r.Item1, r.Item1 + ".png", r.Item2), r.Item2, r.Item1))
            .ToList();
        // K=1: a finds one of its 2 texts with 2/3, b and c theirs with 1/3 → 4/9; texts x and y 1/3, z 2/3 → 4/9.
        var one = DemoBaselines.ChanceRecall(rows, 1);
        Assert.Equal(4.0 / 9, one.ImageToText, 12);
        Assert.Equal(4.0 / 9, one.TextToImage, 12);
        // K=2: a misses both with (1/3)(0/2) → 1; b misses with (2/3)(1/2) → 2/3; so (1 + 2/3 + 2/3) / 3 = 7/9.
        var two = DemoBaselines.ChanceRecall(rows, 2);
        Assert.Equal(7.0 / 9, two.ImageToText, 12);
        Assert.Equal(7.0 / 9, two.TextToImage, 12);
        // K above the candidates: every query is a hit.
        Assert.Equal(1.0, DemoBaselines.ChanceRecall(rows, 5).ImageToText, 12);
    }
}
