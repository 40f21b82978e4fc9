using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Data.FashionMnist;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Reports.Png;
using MLNetClip.Samples;
using MLNetClip.Torch;
using MLNetClip.Transforms;

// Linear probe on Fashion-MNIST (Debian's dataset-fashion-mnist) with ML.NET's LbfgsMaximumEntropy:
// frozen CLIP features (the class token) beside the raw-pixel baseline, on the same images.
const string usage = "LinearProbe --model DIR [--train 5000] [--test 2000] [--fashion DIR] [--device cpu]";
var a = new SampleArgs(args, usage);
var trainCount = a.Int("--train", 5000);
var testCount = a.Int("--test", 2000);
var fashion = a.Get("--fashion");
var train = Rows(FashionMnistDataset.Load(FashionMnistPart.Train, fashion), trainCount);
var test = Rows(FashionMnistDataset.Load(FashionMnistPart.Test, fashion), testCount);

var ml = new MLContext(seed: 0);
using var clip = EvaluationModel.Load(a.Required("--model"), Device.Parse(a.Get("--device", "cpu")));
var trainData = ml.Data.LoadFromEnumerable(train);
var testData = ml.Data.LoadFromEnumerable(test);

// Features are computed once and cached, so the probe's L-BFGS passes do not re-run the tower.
var frozen = ml.Transforms.Conversion.MapValueToKey("Label", nameof(FashionRow.Class))
    .Append(ml.Transforms.MaskClipEmbed("Features", nameof(FashionRow.Png), clip, ImageFeature.ClassToken, normalize: false))
    .AppendCacheCheckpoint(ml)
    .Append(ml.Transforms.NormalizeMeanVariance("Features"))
    .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
var pixels = ml.Transforms.Conversion.MapValueToKey("Label", nameof(FashionRow.Class))
    .Append(ml.Transforms.NormalizeMeanVariance("Features", nameof(FashionRow.Pixels)))
    .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());

var frozenMetrics = ml.MulticlassClassification.Evaluate(frozen.Fit(trainData).Transform(testData));
var pixelMetrics = ml.MulticlassClassification.Evaluate(pixels.Fit(trainData).Transform(testData));
Console.WriteLine($"Fashion-MNIST linear probe (LbfgsMaximumEntropy), {trainCount} train / {testCount} test images");
Console.WriteLine($"frozen features ({clip.Clip.Options.Vision.Width}-d class token): top-1 {frozenMetrics.MicroAccuracy:F4}  balanced {frozenMetrics.MacroAccuracy:F4}");
Console.WriteLine($"raw pixels (784-d):                top-1 {pixelMetrics.MicroAccuracy:F4}  balanced {pixelMetrics.MacroAccuracy:F4}");
return 0;

// The first count images of a part (evenly spaced would be the same: the parts are shuffled), as PNG bytes and as pixels.
static List<FashionRow> Rows(FashionMnistSplit split, int count)
{
    const int side = FashionMnistDataset.ImageSize;
    return Enumerable.Range(0, Math.Min(count, split.Count)).Select(i =>
    {
        var grey = split.Image(i);
        var rgb = new byte[side * side * 3];
        for (var p = 0; p < grey.Length; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
        return new FashionRow
        {
            Png = PngEncoder.Encode(rgb, side, side, 3),
            Pixels = grey.ToArray().Select(b => b / 255f).ToArray(),
            Class = split.Labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }).ToList();
}

internal sealed class FashionRow
{
    public byte[] Png { get; set; } = [];

    [VectorType(FashionMnistDataset.ImageSize * FashionMnistDataset.ImageSize)]
    public float[] Pixels { get; set; } = [];

    public string Class { get; set; } = "";
}
