using System.Globalization;
using System.Text;
using MLNetClip.Evaluation.Classification;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Probe;
using MLNetClip.Evaluation.Retrieval;
using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Cli;

/// <summary>The human-readable results of `eval`: a heading, then tables; shares as percentages.</summary>
internal static class EvalPrinter
{
    /// <summary>Confusion matrices with more classes than this are left to --json.</summary>
    private const int MaxPrintedClasses = 12;

    public static string Heading(string task, EvaluationModel model, string data)
    {
        var o = model.Clip.Options;
        return Invariant($"{task}\nmodel  {model.Directory} (vision {o.Vision.ImageSize} px / {o.Vision.PatchSize}, {o.Vision.Layers}x{o.Vision.Width}; ") +
            Invariant($"text {o.Text.Layers}x{o.Text.Width}, context {o.Text.ContextLength}; embed {o.EmbedDim}; {model.Device})\ndata   {data}\n");
    }

    public static string ZeroShot(ZeroShotResult r, string templates)
    {
        var m = r.Metrics;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(Invariant($"{m.Samples:N0} images, {r.ClassNames.Count} classes ({m.ClassesWithSamples} with images), {r.Templates} templates ({templates})"));
        text.AppendLine();
        text.Append(new TextTable("metric", "value")
            .Add("top-1", Percent(m.Top1))
            .Add("top-5", Percent(m.Top5))
            .Add("balanced accuracy", Percent(m.BalancedAccuracy)));
        text.Append(Confusion(m, r.ClassNames));
        return text.ToString();
    }

    public static string Retrieval(RetrievalEvaluationResult r)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(Invariant($"{r.Images:N0} images, {r.Texts:N0} captions, {r.Pairs:N0} matching pairs"));
        text.AppendLine();
        var table = new TextTable("direction", "queries", "R@1", "R@5", "R@10", "median rank");
        foreach (var (name, s) in new[] { ("image → text", r.Result.ImageToText), ("text → image", r.Result.TextToImage) })
            table.Add(name, Invariant($"{s.Queries:N0}"), Percent(s.RecallAt1), Percent(s.RecallAt5), Percent(s.RecallAt10), Invariant($"{s.MedianRank:0.#}"));
        text.Append(table);
        return text.ToString();
    }

    public static string Probe(ProbeResult r)
    {
        var text = new StringBuilder();
        var validation = r.ValidationImages > 0 ? Invariant($", {r.ValidationImages:N0} validation") : "";
        text.AppendLine();
        text.AppendLine(Invariant($"{r.TrainImages:N0} training{validation} and {r.TestImages:N0} test images, {r.ClassNames.Count} classes"));
        text.AppendLine();
        var table = new TextTable("features", "L2", "top-1", "top-5", "balanced accuracy");
        table.Add(ImageFeatureNames.Name(r.Feature) + " (frozen model)", L2(r.Features), Percent(r.Features.Test.Top1), Percent(r.Features.Test.Top5),
            Percent(r.Features.Test.BalancedAccuracy));
        if (r.Pixels is { } p)
            table.Add(Invariant($"raw pixels {r.PixelSize}x{r.PixelSize}x3"), L2(p),
                Percent(p.Test.Top1), Percent(p.Test.Top5), Percent(p.Test.BalancedAccuracy));
        text.Append(table);
        text.Append(Confusion(r.Features.Test, r.ClassNames));
        return text.ToString();
    }

    private static string L2(ProbeFit fit) => Invariant($"{fit.L2:0.####E+0}") + (fit.Trials.Count > 0 ? " (val)" : "");

    /// <summary>The confusion matrix with class numbers as column heads and a legend, or a pointer to --json when it is too big.</summary>
    private static string Confusion(ClassificationResult m, IReadOnlyList<string> classNames)
    {
        var classes = classNames.Count;
        if (classes > MaxPrintedClasses) return Invariant($"\nconfusion matrix: {classes} classes, too many to print (in --json)\n");
        var table = new TextTable(["truth \\ predicted", .. Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture))]);
        for (var t = 0; t < classes; t++)
            table.Add([Invariant($"{t} {classNames[t]}"), .. Enumerable.Range(0, classes).Select(p => m.Confusion[t, p].ToString(CultureInfo.InvariantCulture))]);
        return "\nconfusion matrix (rows: truth, columns: predicted class)\n" + table;
    }

    public static string Percent(double share) => Invariant($"{100 * share:0.00}%");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
