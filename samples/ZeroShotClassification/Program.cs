using Microsoft.ML;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Samples;
using MLNetClip.Torch;
using MLNetClip.Trainers;
using MLNetClip.Transforms;

// Zero-shot classification of emoji into their categories ("Smileys & Emotion", "Animals & Nature",
// ...) through ML.NET: MaskClipEmbed → MaskClipZeroShot, scored by ML.NET's Evaluate.
const string usage = "ZeroShotClassification --model DIR --data emoji.tsv [--split test-concept] [--limit N] [--device cpu]";
var a = new SampleArgs(args, usage);
var manifest = a.Required("--data");
var split = a.Get("--split", "test-concept");
var rows = Tsv.Read(manifest).Where(r => !r.ContainsKey("split") || r["split"] == split).ToList();
var limit = a.Int("--limit", rows.Count);
rows = rows.Where((_, i) => i % Math.Max(1, rows.Count / limit) == 0).Take(limit).ToList();
var classes = rows.Select(r => Tsv.Column(r, "category", manifest)).Distinct().Order(StringComparer.Ordinal).ToArray();

var ml = new MLContext(seed: 0);
using var clip = EvaluationModel.Load(a.Required("--model"), Device.Parse(a.Get("--device", "cpu")));
var data = ml.Data.LoadFromEnumerable(rows.Select(r => new EmojiRow { ImagePath = r["filepath"], Label = r["category"] }).ToList());
var keys = ml.Data.LoadFromEnumerable(classes.Select(c => new KeyRow { Label = c }));
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys)
    .Append(ml.Transforms.MaskClipEmbed("Features", "ImagePath", clip))
    .Append(ml.MulticlassClassification.Trainers.MaskClipZeroShot(clip, classes, ["an emoji of {}.", "a {} emoji.", "{}"]));
// ML.NET's top-k fails when k exceeds the class count, so k is at most the classes.
var k = Math.Min(5, classes.Length);
var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(data).Transform(data), topKPredictionCount: k);

Console.WriteLine($"zero-shot over {rows.Count} {split} images, {classes.Length} categories ({string.Join(", ", classes)})");
Console.WriteLine($"top-1 {metrics.MicroAccuracy:F4}  top-{k} {metrics.TopKAccuracy:F4}  balanced {metrics.MacroAccuracy:F4}  chance {1.0 / classes.Length:F4}");
return 0;

internal sealed class EmojiRow
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

internal sealed class KeyRow
{
    public string Label { get; set; } = "";
}
