using System.Net;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Samples;
using MLNetClip.Torch;
using MLNetClip.Transforms;

// Text → top-k images: every image of a manifest and the query are embedded through ML.NET
// (MaskClipEmbed, MaskClipEmbedText, both normalised), ranked by cosine, and the best k are
// written, images inlined, into an HTML page.
const string usage = "ImageSearch --model DIR --data manifest.tsv --query TEXT [--k 8] [--limit N] [--out search.html]";
var a = new SampleArgs(args, usage);
var manifest = a.Required("--data");
var query = a.Required("--query");
var k = a.Int("--k", 8);
var rows = Tsv.Read(manifest);
rows = rows.Take(a.Int("--limit", rows.Count)).ToList();
var outPath = a.Get("--out", "search.html");

var ml = new MLContext(seed: 0);
using var clip = EvaluationModel.Load(a.Required("--model"), Device.Parse(a.Get("--device", "cpu")));
var images = ml.Data.LoadFromEnumerable(rows.Select(r => new ImageRow { ImagePath = r["filepath"] }).ToList());
var texts = ml.Data.LoadFromEnumerable(new[] { new TextRow { Query = query } });
var imageVectors = ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.ImagePath), clip).Fit(images).Transform(images)
    .GetColumn<float[]>("Features").ToList();
var queryVector = ml.Transforms.MaskClipEmbedText("Features", nameof(TextRow.Query), clip).Fit(texts).Transform(texts)
    .GetColumn<float[]>("Features").Single();

// Both sides are unit length, so the dot product is the cosine.
var ranked = imageVectors.Select((v, i) => (Index: i, Score: v.Zip(queryVector, (x, y) => (double)x * y).Sum()))
    .OrderByDescending(p => p.Score).Take(k).ToList();
var html = new StringBuilder($"<!doctype html><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(query)}</title>\n");
html.Append($"<h1>{WebUtility.HtmlEncode(query)}</h1>\n<p>top {ranked.Count} of {rows.Count} images</p>\n");
foreach (var (index, score) in ranked)
{
    var path = rows[index]["filepath"];
    var title = rows[index].GetValueOrDefault("title", Path.GetFileName(path));
    html.Append($"<figure style=\"display:inline-block;margin:8px\"><img width=\"96\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\">");
    html.Append($"<figcaption>{WebUtility.HtmlEncode(title)}<br>{score:F3}</figcaption></figure>\n");
    Console.WriteLine($"{score:F4}  {path}");
}
File.WriteAllText(outPath, html.ToString());
Console.WriteLine($"wrote {outPath}");
return 0;

internal sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
}

internal sealed class TextRow
{
    public string Query { get; set; } = "";
}
