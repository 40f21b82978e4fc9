using System.Text.Json;
using MLNetClip.Data.Datasets;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.FineTune;
using MLNetClip.Evaluation.Segmentation;
using MLNetClip.Evaluation.ZeroShot;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Cli.Tests;

/// <summary>
/// `eval segment` and `eval finetune` in-process: the --json numbers equal the library's own run on
/// the same rows with the same settings. Every setting is given a non-default value, so an option
/// the command dropped or mistranslated would change the numbers.
/// </summary>
public class EvalSegmentFineTuneCommandTests
{
    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    /// <summary>Runs <paramref name="body"/> on one libtorch thread, as the commands run with --threads 1, so both sides add up alike.</summary>
    private static T OneThread<T>(Func<T> body)
    {
        var previous = TorchRuntime.Threads;
        TorchRuntime.Threads = 1;
        try
        {
            return body();
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    private static IReadOnlyList<EvaluationRow> Rows(string manifest, string filter) =>
        EvaluationData.Read(manifest, "filepath", "colour", "label", [ColumnFilter.Parse(filter)]).Rows;

    [Fact]
    public void SegmentThroughTheCliEqualsTheLibrary()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var json = folder.File("segment.json");
        var (exit, output, error) = CliRunner.Run("--verbose", "eval", "segment", "--model", model, "--data", manifest, "--label-column", "colour",
            "--where", "split=train", "--templates", "simple", "--canvases", "5", "--canvas-size", "48", "--per-canvas", "3", "--seed", "11",
            "--batch-size", "2", "--threads", "1", "--json", json);
        Assert.True(exit == 0, output + error);

        SegmentationResult Library(int seed) => OneThread(() =>
        {
            using var evaluationModel = EvaluationModel.Load(model, Device.Cpu);
            return ZeroShotSegmentation.Evaluate(evaluationModel, LabelledImages.From(Rows(manifest, "split=train")), PromptTemplates.Simple,
                new CollageOptions { CanvasSize = 48, PerCanvas = 3, Seed = seed }, 5, batchSize: 2);
        });
        var expected = Library(11);

        var result = ReadJson(json);
        Assert.Equal("segment", result.GetProperty("task").GetString());
        Assert.Equal(["background", "blue", "green", "red", "yellow"], result.GetProperty("class_names").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(expected.ClassNames, result.GetProperty("class_names").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(expected.MeanIoU, result.GetProperty("mIoU").GetDouble());
        Assert.Equal(expected.PixelAccuracy, result.GetProperty("pixel_accuracy").GetDouble());
        var perClass = result.GetProperty("per_class_iou");
        for (var c = 0; c < expected.ClassNames.Count; c++)
        {
            var value = perClass.GetProperty(expected.ClassNames[c]);
            if (double.IsNaN(expected.PerClass[c])) Assert.Equal(JsonValueKind.Null, value.ValueKind);
            else Assert.Equal(expected.PerClass[c], value.GetDouble());
        }
        Assert.Equal((5, 48, 3, 11), (result.GetProperty("canvases").GetInt32(), result.GetProperty("canvas_size").GetInt32(),
            result.GetProperty("per_canvas").GetInt32(), result.GetProperty("seed").GetInt32()));
        // Train rows hold 7 distinct pictures (image 0 has two captions); the simple set has 7 templates.
        Assert.Equal((7, 7), (result.GetProperty("pictures").GetInt32(), result.GetProperty("templates").GetInt32()));
        Assert.Contains("mIoU", output);

        // Control: the default layout seed scores differently, so the equality above is not two defaults agreeing.
        Assert.NotEqual(expected.PixelAccuracy, Library(0).PixelAccuracy);
    }

    [Fact]
    public void FineTuneThroughTheCliEqualsTheLibrary()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var json = folder.File("finetune.json");
        var (exit, output, error) = CliRunner.Run("--verbose", "eval", "finetune", "--model", model, "--data", manifest, "--label-column", "colour",
            "--train-where", "split=train", "--test-where", "split=test", "--steps", "6", "--lr", "0.003", "--layer-decay", "0.6",
            "--weight-decay", "0.1", "--seed", "5", "--batch-size", "3", "--threads", "1", "--json", json);
        Assert.True(exit == 0, output + error);

        var options = new FineTuneOptions { Steps = 6, LearningRate = 0.003, LayerDecay = 0.6, WeightDecay = 0.1, Seed = 5, BatchSize = 3, DecodeThreads = 1 };
        var classes = new[] { "blue", "green", "red", "yellow" };
        FineTuneResult Library(FineTuneOptions o) => OneThread(() =>
        {
            using var evaluationModel = EvaluationModel.Load(model, Device.Cpu);
            return FineTuning.Run(evaluationModel.Clip.Visual, LabelledImages.From(Rows(manifest, "split=train"), classes),
                LabelledImages.From(Rows(manifest, "split=test"), classes), o);
        });
        var expected = Library(options);

        var result = ReadJson(json);
        Assert.Equal("finetune", result.GetProperty("task").GetString());
        Assert.Equal(classes, result.GetProperty("class_names").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal((7, 5), (result.GetProperty("train_images").GetInt32(), result.GetProperty("test_images").GetInt32()));
        Assert.Equal(6, result.GetProperty("steps").GetInt32());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("epochs").ValueKind);
        Assert.Equal((0.003, 0.6, 0.1, 3), (result.GetProperty("learning_rate").GetDouble(), result.GetProperty("layer_decay").GetDouble(),
            result.GetProperty("weight_decay").GetDouble(), result.GetProperty("batch_size").GetInt32()));
        // The loss after six updates depends on every optimiser setting and on the seed's batch order and crops.
        Assert.Equal(expected.FinalLoss, result.GetProperty("final_loss").GetDouble());
        Assert.Equal(expected.Test.Top1, result.GetProperty("top1").GetDouble());
        Assert.Equal(expected.Test.Top5, result.GetProperty("top5").GetDouble());
        Assert.Equal(expected.Test.BalancedAccuracy, result.GetProperty("balanced_accuracy").GetDouble());
        var confusion = result.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        for (var t = 0; t < classes.Length; t++)
            for (var p = 0; p < classes.Length; p++) Assert.Equal(expected.Test.Confusion[t, p], confusion[t][p]);

        // Control: the default learning rate gives another loss, so the equality above is not two defaults agreeing.
        Assert.NotEqual(expected.FinalLoss, Library(options with { LearningRate = 1e-3 }).FinalLoss);
    }
}
