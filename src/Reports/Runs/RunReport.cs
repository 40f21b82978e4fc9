using System.Globalization;
using System.Text.Json;
using MLNetClip.Data.Datasets;
using MLNetClip.Models;
using MLNetClip.Pretraining.Training;
using MLNetClip.Reports.Charts;

namespace MLNetClip.Reports.Runs;

/// <summary>
/// One self-contained HTML page about a pretraining run folder: its configuration, training
/// curves from metrics.jsonl, example pictures (masks, attention and text→patch similarity, when
/// the folder holds a finished model/ and example images can be found) and any evaluation
/// results saved beside it as eval*.json. Every part the folder lacks is said to be missing,
/// not left out silently; only a folder that holds no run at all is an error.
/// </summary>
public static class RunReport
{
    /// <summary>Writes the report to <paramref name="output"/> (created or replaced) and returns its notes.</summary>
    public static IReadOnlyList<string> Write(string runFolder, string output, RunReportOptions? options = null)
    {
        var (html, notes) = Build(runFolder, options);
        var folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllText(output, html);
        return notes;
    }

    /// <summary>The page's HTML and notes on what could not be shown (skipped images, no model yet).</summary>
    public static (string Html, IReadOnlyList<string> Notes) Build(string runFolder, RunReportOptions? options = null)
    {
        options ??= new RunReportOptions();
        options.Validate();
        var run = new RunDirectory(runFolder);
        if (!run.HoldsRun)
            throw new FileNotFoundException($"{run.Root} holds no run (no config.json); give the --out folder of `mlnetclip pretrain`", run.ConfigPath);
        using var config = ReadJson(run.ConfigPath);
        var notes = new List<string>();
        var page = new HtmlPage($"Run {Path.GetFileName(run.Root)}");
        page.Paragraph(Summary(config.RootElement, run.Root));

        AddCurves(page, run, notes);
        AddExamples(page, run, config.RootElement, options, notes);
        AddEvaluations(page, run);
        page.Heading("Configuration").Table(["key", "value"], Flatten(config.RootElement, ""));
        if (notes.Count > 0)
        {
            page.Heading("Notes");
            foreach (var n in notes) page.Paragraph(n, "note");
        }
        return (page.ToHtml(), notes);
    }

    private static string Summary(JsonElement config, string root)
    {
        string Get(params string[] path) => Lookup(config, path) is { } e ? Scalar(e) : "?";
        return $"{Get("options", "method")} on {Get("options", "preset")}, {Get("totalSteps")} steps of batch {Get("options", "batchSize")}, " +
            $"on {Get("options", "device")}; data: {Get("data", "source")}. Folder: {root}.";
    }

    private static void AddCurves(HtmlPage page, RunDirectory run, List<string> notes)
    {
        page.Heading("Training curves");
        if (!File.Exists(run.MetricsPath))
        {
            page.Paragraph("No metrics.jsonl yet: the run has not logged a step.", "note");
            return;
        }
        var metrics = TrainingMetrics.Read(run.MetricsPath);
        if (metrics.SkippedLines > 0) notes.Add($"metrics.jsonl: {metrics.SkippedLines} unreadable line(s) left out (a run killed mid-write leaves one)");
        if (metrics.Rows.Count == 0)
        {
            page.Paragraph("metrics.jsonl holds no logged step yet.", "note");
            return;
        }
        var last = metrics.Rows[^1];
        page.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"{metrics.Rows.Count} logged steps; the last, step {last["step"]:0}, after {last.GetValueOrDefault("elapsedSeconds", double.NaN):0.0} s."));
        page.Gallery(TrainingCurves.Charts(metrics).Select(c => HtmlPage.Figure(HtmlPage.SvgUri(c.ToSvg()), c.Title)));
    }

    private static void AddExamples(HtmlPage page, RunDirectory run, JsonElement config, RunReportOptions options, List<string> notes)
    {
        if (options.Examples == 0) return;
        page.Heading("What the model sees");
        if (!File.Exists(Path.Combine(run.ModelPath, HuggingFaceClip.ConfigFile)))
        {
            page.Paragraph("No model/ yet (it is written when the run finishes), so no example pictures.", "note");
            return;
        }
        if (ExampleSource(config, options) is not { } source)
        {
            page.Paragraph("No example images: the run's data is not a manifest that still exists here; pass --data MANIFEST.", "note");
            return;
        }
        using var model = HuggingFaceClip.Load(run.ModelPath);
        var examples = ExampleFigures.Load(source, options.Examples, model.Options.Vision.ImageSize, options.PictureSize, notes);
        try
        {
            if (examples.Count == 0)
            {
                page.Paragraph($"No readable example image in {source.Description}.", "note");
                return;
            }
            var maskRatio = MaskRatio(config);
            page.Paragraph($"{examples.Count} images from {source.Description}, through model/ at {model.Options.Vision.ImageSize} px " +
                $"({model.Options.Vision.GridSize}×{model.Options.Vision.GridSize} patches). Masks use the run's mask ratio; heat maps run from " +
                "each map's lowest value (navy) to its highest (red), so compare shapes, and the printed ranges for strength. " +
                "Text→patch similarity is the cosine between the caption's embedding and each patch token after the final LayerNorm and the projection.");
            page.FigureGrid(ExampleFigures.Header(maskRatio), ExampleFigures.Rows(model, examples, maskRatio, options.Seed).ToList());
        }
        finally
        {
            foreach (var (_, image) in examples) image.Dispose();
        }
    }

    /// <summary>The given manifest, or the run's own ("manifest PATH[ where A=B and C=D]" in config.json) when it still exists.</summary>
    private static IIndexedImageTextSource? ExampleSource(JsonElement config, RunReportOptions options)
    {
        var path = options.Data;
        var filters = options.Filters;
        if (path is null && Lookup(config, "data", "source")?.GetString() is { } described && described.StartsWith("manifest ", StringComparison.Ordinal))
        {
            var parts = described["manifest ".Length..].Split(" where ", 2);
            path = parts[0];
            filters ??= parts.Length > 1 ? parts[1].Split(" and ").Select(ColumnFilter.Parse).ToList() : [];
            if (!File.Exists(path)) return null;
        }
        if (path is null) return null;
        var manifest = ManifestSource.Open(path, new ManifestOptions
        {
            Separator = ManifestOptions.SeparatorFor(path), PathColumn = options.ImageColumn, CaptionColumn = options.CaptionColumn,
        });
        return (IIndexedImageTextSource)FilteredSource.Where(manifest, filters ?? []);
    }

    private static void AddEvaluations(HtmlPage page, RunDirectory run)
    {
        var files = EvaluationFile.FindIn(run.Root);
        page.Heading("Evaluation");
        if (files.Count == 0)
        {
            page.Paragraph("No eval*.json in the run folder; `mlnetclip eval … --json RUN/eval-NAME.json` puts results here.", "note");
            return;
        }
        foreach (var file in files)
        {
            page.Heading(file.Name, 3);
            if (file.Error is not null)
            {
                page.Paragraph(file.Error, "note");
                continue;
            }
            page.Table(["figure", "value"], file.Values.Select(v => (IReadOnlyList<string>)[v.Key, v.Value]), numeric: true);
            page.Gallery(file.Confusions.Select(c => HtmlPage.Figure(
                HtmlPage.SvgUri(ConfusionMatrixChart.ToSvg(c.Counts, c.ClassNames, c.Key == "confusion" ? "Confusion matrix" : $"Confusion matrix ({c.Key})")),
                c.Key)));
        }
    }

    private static JsonDocument ReadJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}");
        }
    }

    // The share the run's method removed: A-CLIP's per-view ratio, FLIP's patch dropout, else MaskCLIP's (0.75 by default).
    private static double MaskRatio(JsonElement config)
    {
        var method = Lookup(config, "options", "method") is { ValueKind: JsonValueKind.String } m ? m.GetString() : null;
        string[] path = method switch
        {
            "aclip" => ["options", "aClip", "maskRatio"],
            "aclip-efficient" => ["options", "aClip", "efficientMaskRatio"],
            "flip" => ["options", "flip", "patchDropout"],
            _ => ["options", "maskClip", "maskRatio"],
        };
        return Lookup(config, path) is { ValueKind: JsonValueKind.Number } r ? r.GetDouble() : 0.75;
    }

    private static JsonElement? Lookup(JsonElement e, params string[] path)
    {
        foreach (var key in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out e)) return null;
        }
        return e;
    }

    private static string Scalar(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    private static IEnumerable<IReadOnlyList<string>> Flatten(JsonElement e, string key) => e.ValueKind == JsonValueKind.Object
        ? e.EnumerateObject().SelectMany(p => Flatten(p.Value, key.Length == 0 ? p.Name : $"{key}.{p.Name}"))
        : [[key, Scalar(e)]];
}
