using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MLNetClip.Data.FashionMnist;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Transforms.Tests;

/// <summary>Each sample run as its own process in reduced form (a tiny model, a few images or steps), its output checked.</summary>
public class SamplesTests
{
    private static readonly string[] Categories = ["Animals", "Food", "Objects"];

    private static (int Code, string Output) Run(string sample, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, sample + ".dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>An emoji.tsv-shaped manifest (filepath, title, category, split) over generated images.</summary>
    private static string Manifest(TempFolder folder, int count)
    {
        var (paths, captions) = TestModels.Images(folder, count, size: 32);
        var lines = new List<string> { "filepath\ttitle\tcategory\tsplit" };
        lines.AddRange(paths.Select((p, i) => $"{p}\t{captions[i]}\t{Categories[i % 3]}\t{(i % 2 == 0 ? "test-concept" : "train")}"));
        var path = folder.File("emoji.tsv");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static double Number(string output, string label)
    {
        var match = Regex.Match(output, Regex.Escape(label) + @" (\d\.\d{4})");
        Assert.True(match.Success, $"no '{label} N.NNNN' in: {output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void ZeroShotClassificationScoresTheTestSplit()
    {
        using var folder = new TempFolder();
        var data = Manifest(folder, 12);
        TestModels.Micro(folder).Dispose();
        var (code, output) = Run("ZeroShotClassification", "--model", folder.File("micro"), "--data", data);
        Assert.True(code == 0, output);
        Assert.Contains("zero-shot over 6 test-concept images, 3 categories (Animals, Food, Objects)", output);
        Assert.InRange(Number(output, "top-1"), 0, 1);
        Assert.Equal(1.0, Number(output, "top-3"));                                           // 3 classes: always within the top 3
        Assert.Equal(0.3333, Number(output, "chance"));
    }

    [Fact]
    public void ImageSearchWritesTheTopKIntoAPage()
    {
        using var folder = new TempFolder();
        var data = Manifest(folder, 10);
        TestModels.Micro(folder).Dispose();
        var page = folder.File("search.html");
        var (code, output) = Run("ImageSearch", "--model", folder.File("micro"), "--data", data, "--query", "a red square", "--k", "4", "--out", page);
        Assert.True(code == 0, output);
        var scores = Regex.Matches(output, @"^(-?\d\.\d{4})  ", RegexOptions.Multiline).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, scores.Count);
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal(4, Regex.Matches(File.ReadAllText(page), "<img ").Count);
    }

    [Fact]
    public void PretrainTrainsFromATsvAndSavesThePipeline()
    {
        using var folder = new TempFolder();
        var data = TrainingTestData.WriteManifest(folder.File("data"), 8);
        var run = folder.File("run");
        var (code, output) = Run("Pretrain", "--data", data, "--out", run, "--steps", "2", "--batch-size", "4");
        Assert.True(code == 0, output);
        Assert.Contains("trained 2 steps", output);
        Assert.Matches(@"step 2/2 .*loss \d", output);
        Assert.True(File.Exists(Path.Combine(run, "embed-pipeline.zip")));
    }

    [Fact]
    public void LinearProbeReportsFrozenFeaturesBesideRawPixels()
    {
        if (!FashionMnistDataset.IsAvailable()) Assert.Fail("install Debian's dataset-fashion-mnist (the LinearProbe sample reads it)");
        using var folder = new TempFolder();
        TestModels.Micro(folder).Dispose();
        var (code, output) = Run("LinearProbe", "--model", folder.File("micro"), "--train", "200", "--test", "100");
        Assert.True(code == 0, output);
        Assert.Contains("200 train / 100 test images", output);
        Assert.InRange(Number(output, "raw pixels (784-d):                top-1"), 0.3, 1);      // well above the 0.1 of chance
        Assert.InRange(Number(output, "class token): top-1"), 0, 1);
    }
}
