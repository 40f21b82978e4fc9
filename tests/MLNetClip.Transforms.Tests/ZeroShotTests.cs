using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Data.Datasets;
using MLNetClip.Evaluation.Classification;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.ZeroShot;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;
using MLNetClip.Trainers;

namespace MLNetClip.Transforms.Tests;

/// <summary>The zero-shot trainer through ML.NET's Evaluate against our own evaluator on the same images.</summary>
public class ZeroShotTests
{
    private static readonly string[] Classes = ["red", "green", "blue", "yellow", "purple", "orange", "black"];
    private static readonly string[] Templates = ["a {} picture", "a photo of something {}."];

    [Fact]
    public void EvaluateEqualsTheLibraryEvaluatorOnTheSameData()
    {
        using var folder = new TempFolder();
        var (paths, _) = TestModels.Images(folder, 21);
        var labels = paths.Select((_, i) => i * 5 % Classes.Length).ToList();
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Micro(folder);
        var data = ml.Data.LoadFromEnumerable(paths.Select((p, i) => new ImageRow { Path = p, Label = Classes[labels[i]] }).ToList());
        var keys = ml.Data.LoadFromEnumerable(Classes.Select(c => new KeyRow { Label = c }).ToList());

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(ImageRow.Label), keyData: keys)
            .Append(ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model))
            .Append(ml.MulticlassClassification.Trainers.MaskClipZeroShot(model, Classes, Templates));
        var predictions = pipeline.Fit(data).Transform(data);
        var metrics = ml.MulticlassClassification.Evaluate(predictions, topKPredictionCount: ClassificationMetrics.TopK);

        var records = paths.Select((p, i) => ImageTextRecord.FromFile($"{i}", "test", p, null)).ToList();
        using var images = new ClipEmbedder(model).ImageFeatures(new RecordImages(records), ImageFeature.Embedding);
        using var weights = ZeroShotClassifier.Build(model.Clip, model.Tokenizer, Classes, Templates);
        using var scores = ZeroShotClassifier.Scores(images, weights);
        var ours = ClassificationMetrics.Compute(scores, labels);

        Assert.Equal(ours.Top1, metrics.MicroAccuracy, 12);
        Assert.Equal(ours.Top5, metrics.TopKAccuracy, 12);
        Assert.Equal(ours.BalancedAccuracy, metrics.MacroAccuracy, 12);
        var confusion = metrics.ConfusionMatrix.Counts;
        for (var t = 0; t < Classes.Length; t++)
            for (var p = 0; p < Classes.Length; p++)
                Assert.Equal(ours.Confusion[t, p], confusion[t][p]);
    }

    [Fact]
    public void ScoresAreProbabilitiesAndTheLabelMustBeAKeyOverTheClassNames()
    {
        using var folder = new TempFolder();
        var (paths, _) = TestModels.Images(folder, 3);
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Micro(folder);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { Path = p, Label = "red" }).ToList());
        var embedded = ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model).Fit(data).Transform(data);

        var notKey = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.MaskClipZeroShot(model, Classes).Fit(embedded));
        Assert.Contains("label column 'Label' is String; expected a key over the 7 class names", notKey.Message);
        var wrongOrder = ml.Data.LoadFromEnumerable(Classes.Reverse().Select(c => new KeyRow { Label = c }).ToList());
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyData: wrongOrder).Fit(embedded).Transform(embedded);
        var order = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.MaskClipZeroShot(model, Classes).Fit(keyed));
        Assert.Contains("key 1 is 'black' but class 0 is 'red'", order.Message);
        var noFeatures = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.MaskClipZeroShot(model, Classes, featureColumnName: "Path", labelColumnName: "").Fit(embedded));
        Assert.Contains("feature column 'Path' is String", noFeatures.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.MaskClipZeroShot(model, ["only"]));

        var scored = ml.MulticlassClassification.Trainers.MaskClipZeroShot(model, Classes, labelColumnName: "").Fit(embedded).Transform(embedded);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, Classes.Length), scored.Schema["Score"].Type);
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedLabel"].GetKeyValues(ref slotNames);
        Assert.Equal(Classes, slotNames.DenseValues().Select(v => v.ToString()));
        var rows = scored.GetColumn<float[]>("Score").ToList();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(1.0, rows[i].Sum(), 5);
            Assert.Equal(Array.IndexOf(rows[i], rows[i].Max()) + 1, (int)predicted[i]);
        }
    }
}

/// <summary>One class name, for MapValueToKey's keyData (a single column).</summary>
public sealed class KeyRow
{
    public string Label { get; set; } = "";
}
