using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;
using MLNetClip.Trainers;
using MLNetClip.Transforms.Pretrain;
using MLNetClip.Transforms.Saving;

namespace MLNetClip.Transforms.Tests;

/// <summary>
/// The README's three canonical pipelines, line for line (<see cref="TheReadmeBlocksAreTheseLines"/>
/// checks that every code line of README's "ML.NET pipelines" blocks appears here in order), run on
/// a tiny model and images made now.
/// </summary>
public class ReadmePipelineTests
{
    public sealed class Pair
    {
        public string ImagePath { get; set; } = "";
        public string Caption { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private static readonly string[] Names = ["red", "green", "blue", "yellow"];

    private static (IDataView Train, IDataView Test, MLContext Ml) Data(TempFolder folder)
    {
        var (paths, captions) = TestModels.Images(folder, 16, size: 32);
        var ml = new MLContext(seed: 0);
        var rows = paths.Select((p, i) => new Pair { ImagePath = p, Caption = captions[i], Label = Names[i % 4] }).ToList();
        return (ml.Data.LoadFromEnumerable(rows.Take(12).ToList()), ml.Data.LoadFromEnumerable(rows.Skip(12).ToList()), ml);
    }

    [Fact]
    public void EmbedAndProbe()
    {
        using var folder = new TempFolder();
        var (train, test, _) = Data(folder);
        TestModels.Micro(folder).Dispose();
        var modelDir = folder.File("micro");

        // README: embed + probe
        var ml = new MLContext(seed: 0);
        using var clip = EvaluationModel.Load(modelDir, Device.Cpu);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.MaskClipEmbed("Features", "ImagePath", clip))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        var model = pipeline.Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        ml.Model.SaveWithMaskClip(model, train.Schema, "probe.zip");
        var loaded = ml.Model.LoadWithMaskClip("probe.zip", out var schema);
        // end

        try
        {
            Assert.InRange(metrics.MicroAccuracy, 0, 1);
            var before = model.Transform(test).GetColumn<float[]>("Score").ToList();
            var after = loaded.Transform(test).GetColumn<float[]>("Score").ToList();
            Assert.Equal(before.Count, after.Count);
            for (var i = 0; i < before.Count; i++) Assert.Equal(before[i], after[i]);
        }
        finally
        {
            File.Delete("probe.zip");
        }
    }

    [Fact]
    public void ZeroShot()
    {
        using var folder = new TempFolder();
        var (_, test, _) = Data(folder);
        using var clip = TestModels.Micro(folder);

        // README: zero-shot
        var ml = new MLContext(seed: 0);
        string[] classes = ["red", "green", "blue", "yellow"];
        var keys = ml.Data.LoadFromEnumerable(classes.Select(c => new { Label = c }));
        var zeroShot = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys)
            .Append(ml.Transforms.MaskClipEmbed("Features", "ImagePath", clip))
            .Append(ml.MulticlassClassification.Trainers.MaskClipZeroShot(clip, classes, ["a {} picture", "a photo of something {}."]));
        var metrics = ml.MulticlassClassification.Evaluate(zeroShot.Fit(test).Transform(test));
        Console.WriteLine($"zero-shot top-1 {metrics.MicroAccuracy:P1}");
        // end

        Assert.InRange(metrics.MicroAccuracy, 0, 1);
        Assert.InRange(metrics.MacroAccuracy, 0, 1);
    }

    [Fact]
    public void Pretrain()
    {
        using var folder = new TempFolder();
        var (pairs, _, _) = Data(folder);
        var runDir = folder.File("run");
        using var stop = new CancellationTokenSource();

        // README: pretrain
        var ml = new MLContext(seed: 0);
        var pretrain = ml.Transforms.MaskClipPretrain(new MaskClipPretrainOptions
        {
            Pretraining = new PretrainOptions { Method = "maskclip", Preset = "ViT-Micro", Steps = 2, BatchSize = 4, Workers = 1 },
            ImageColumnName = "ImagePath",
            CaptionColumnName = "Caption",
            OutputDirectory = runDir,
            CancellationToken = stop.Token,
        });
        using var embed = pretrain.Fit(pairs);
        var features = embed.Transform(pairs);
        // end

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 64), features.Schema["Features"].Type);
        Assert.Equal(2, pretrain.LastRun!.Steps);
    }

    [Fact]
    public void TheReadmeBlocksAreTheseLines()
    {
        var readme = Path.Combine(FindRepo(), "README.md");
        var source = File.ReadAllLines(Path.Combine(FindRepo(), "tests", "MLNetClip.Transforms.Tests", "ReadmePipelineTests.cs")).Select(l => l.Trim()).ToList();
        var blocks = ReadmeBlocks(File.ReadAllText(readme));
        Assert.Equal(3, blocks.Count);
        foreach (var block in blocks)
        {
            var at = 0;
            foreach (var line in block)
            {
                var found = source.IndexOf(line, at);
                Assert.True(found >= 0, $"README line not mirrored (in order) in ReadmePipelineTests.cs: {line}");
                at = found + 1;
            }
        }
    }

    /// <summary>The code lines (no usings, no blanks, no comments) of each csharp block in README's "ML.NET pipelines" section.</summary>
    private static List<List<string>> ReadmeBlocks(string readme)
    {
        var start = readme.IndexOf("\n## ML.NET pipelines", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no '## ML.NET pipelines' section");
        var end = readme.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        var blocks = new List<List<string>>();
        var parts = section.Split("```");
        for (var i = 1; i < parts.Length; i += 2)
        {
            if (!parts[i].StartsWith("csharp", StringComparison.Ordinal)) continue;
            blocks.Add(parts[i].Split('\n').Skip(1).Select(l => l.Trim())
                .Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal) && !l.StartsWith("//", StringComparison.Ordinal)).ToList());
        }
        return blocks;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNetClip.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no MLNetClip.sln above {AppContext.BaseDirectory}");
    }
}
