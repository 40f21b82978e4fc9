using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetClip.Evaluation.Classification;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Probe;
using MLNetClip.Evaluation.Retrieval;
using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Cli;

/// <summary>
/// The --json files of `eval`. The key names are a documented contract (README, "eval --json keys");
/// add keys freely, never rename one. Shares are fractions in [0, 1], not percentages.
/// Every file has "task", "model" and "data"; then per task:
/// zeroshot: top1, top5, balanced_accuracy, samples, templates, class_names, confusion;
/// retrieval: image_to_text and text_to_image, each {R@1, R@5, R@10, median_rank, mean_rank, queries}, images, texts, pairs;
/// probe: top1, top5, balanced_accuracy, feature, l2, l2_trials, optimizer, pixel_top1, pixel_top5, pixel_balanced_accuracy,
/// pixel_l2, pixel_l2_trials, pixel_optimizer, pixel_size, train_images, validation_images, test_images, class_names, confusion.
/// </summary>
internal static class EvalJson
{
    public static JsonObject ZeroShot(ZeroShotResult r, string templates) => new()
    {
        ["top1"] = r.Metrics.Top1,
        ["top5"] = r.Metrics.Top5,
        ["balanced_accuracy"] = r.Metrics.BalancedAccuracy,
        ["samples"] = r.Metrics.Samples,
        ["templates"] = r.Templates,
        ["template_set"] = templates,
        ["class_names"] = Strings(r.ClassNames),
        ["confusion"] = Matrix(r.Metrics.Confusion),
    };

    public static JsonObject Retrieval(RetrievalEvaluationResult r) => new()
    {
        ["image_to_text"] = Ranks(r.Result.ImageToText),
        ["text_to_image"] = Ranks(r.Result.TextToImage),
        ["images"] = r.Images,
        ["texts"] = r.Texts,
        ["pairs"] = r.Pairs,
    };

    public static JsonObject Probe(ProbeResult r)
    {
        var json = new JsonObject
        {
            ["top1"] = r.Features.Test.Top1,
            ["top5"] = r.Features.Test.Top5,
            ["balanced_accuracy"] = r.Features.Test.BalancedAccuracy,
            ["feature"] = ImageFeatureNames.Name(r.Feature),
            ["l2"] = r.Features.L2,
            ["l2_trials"] = Trials(r.Features),
            ["optimizer"] = Optimization(r.Features),
        };
        if (r.Pixels is { } p)
        {
            json["pixel_top1"] = p.Test.Top1;
            json["pixel_top5"] = p.Test.Top5;
            json["pixel_balanced_accuracy"] = p.Test.BalancedAccuracy;
            json["pixel_l2"] = p.L2;
            json["pixel_l2_trials"] = Trials(p);
            json["pixel_optimizer"] = Optimization(p);
            json["pixel_size"] = r.PixelSize;
        }
        json["train_images"] = r.TrainImages;
        json["validation_images"] = r.ValidationImages;
        json["test_images"] = r.TestImages;
        json["class_names"] = Strings(r.ClassNames);
        json["confusion"] = Matrix(r.Features.Test.Confusion);
        return json;
    }

    /// <summary>Writes {task, model, data, ...body} to <paramref name="path"/>, indented, UTF-8 without BOM.</summary>
    public static void Write(string path, string task, EvaluationModel model, string data, JsonObject body)
    {
        var root = new JsonObject { ["task"] = task, ["model"] = model.Directory, ["data"] = data };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            root[key] = value;
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", new UTF8Encoding(false));
    }

    private static JsonObject Ranks(RankSummary s) => new()
    {
        ["R@1"] = s.RecallAt1,
        ["R@5"] = s.RecallAt5,
        ["R@10"] = s.RecallAt10,
        ["median_rank"] = s.MedianRank,
        ["mean_rank"] = s.MeanRank,
        ["queries"] = s.Queries,
    };

    private static JsonArray Trials(ProbeFit fit) =>
        new(fit.Trials.Select(t => (JsonNode)new JsonObject { ["l2"] = t.L2, ["top1"] = t.ValidationTop1 }).ToArray());

    private static JsonObject Optimization(ProbeFit fit) => new()
    {
        ["iterations"] = fit.Optimization.Iterations,
        ["converged"] = fit.Optimization.Converged,
        ["loss"] = fit.Optimization.Loss,
    };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    private static JsonArray Matrix(long[,] counts)
    {
        var rows = new JsonArray();
        for (var t = 0; t < counts.GetLength(0); t++)
            rows.Add((JsonNode)new JsonArray(Enumerable.Range(0, counts.GetLength(1)).Select(p => (JsonNode)JsonValue.Create(counts[t, p])).ToArray()));
        return rows;
    }
}
