using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Segmentation;
using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip eval segment`: annotation-free zero-shot segmentation (MaskCLIP's Table 2 protocol)
/// on collages made at run time from the labelled pictures of --data. JSON keys: mIoU,
/// pixel_accuracy, per_class_iou {class: IoU or null}, class_names, canvases, canvas_size,
/// per_canvas, seed, templates, pictures.
/// </summary>
internal static class EvalSegmentCommand
{
    public static Command Create()
    {
        var common = new EvalOptions("a TSV/CSV manifest, WebDataset shards or an image folder of the pictures to paste (transparent PNGs paste best)");
        var label = new Option<string>("--label-column")
        {
            HelpName = "COLUMN", Description = "column holding each picture's class (the emoji benchmark's 'category')", DefaultValueFactory = _ => "category",
        };
        var templates = new Option<string>("--templates")
        {
            HelpName = "openai|simple|FILE", Description = "prompt templates for every class and the background", DefaultValueFactory = _ => PromptTemplates.OpenAiName,
        };
        var canvases = new Option<int>("--canvases") { HelpName = "N", Description = "collages to make", DefaultValueFactory = _ => 200 };
        var canvasSize = new Option<int?>("--canvas-size") { HelpName = "PIXELS", Description = "collage side (default: the model's image size, so the model sees the canvas unresized)" };
        var perCanvas = new Option<int>("--per-canvas") { HelpName = "N", Description = "pictures pasted on each collage", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { HelpName = "N", Description = "collage layout seed; the same seed makes the same collages", DefaultValueFactory = _ => 0 };
        canvases.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 1_000_000) r.AddError("--canvases must be 1 to 1000000"); });
        canvasSize.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 8 or > 4096) r.AddError("--canvas-size must be 8 to 4096 pixels"); });
        perCanvas.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 64) r.AddError("--per-canvas must be 1 to 64"); });
        var command = new Command("segment", "Annotation-free zero-shot segmentation: patch tokens against class prompts on pasted-picture collages, mIoU")
        {
            label, templates, canvases, canvasSize, perCanvas, seed,
        };
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var prompts = PromptTemplates.Load(parse.GetValue(templates)!);
            var set = EvaluationData.Read(parse.GetValue(common.Data)!, parse.GetValue(common.ImageColumn)!, parse.GetValue(label)!, "label",
                common.Filters(parse));
            var data = LabelledImages.From(set.Rows);
            return common.WithModel(parse, embedder =>
            {
                var options = new CollageOptions
                {
                    CanvasSize = parse.GetValue(canvasSize) ?? embedder.Model.ImageSize,
                    PerCanvas = parse.GetValue(perCanvas),
                    Seed = parse.GetValue(seed),
                };
                var result = ZeroShotSegmentation.Evaluate(embedder.Model, data, prompts, options, parse.GetValue(canvases), embedder.BatchSize);
                var templateName = parse.GetValue(templates)!;
                Console.Write(EvalPrinter.Heading("zero-shot segmentation", embedder.Model, set.Description));
                Console.Write(Print(result, data.Count, prompts.Count, templateName));
                if (parse.GetValue(common.Json) is { } json)
                    EvalJson.Write(json, "segment", embedder.Model, set.Description, Json(result, data.Count, prompts.Count, templateName));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    public static string Print(SegmentationResult r, int pictures, int templates, string templateName)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"{r.Canvases:N0} collages of {r.Options.CanvasSize} px, {r.Options.PerCanvas} of {pictures:N0} pictures each (seed {r.Options.Seed}), ") +
            Invariant($"{r.ClassNames.Count} classes with the background, {templates} templates ({templateName})"));
        text.AppendLine();
        var table = new TextTable("class", "IoU");
        for (var c = 0; c < r.ClassNames.Count; c++) table.Add(r.ClassNames[c], double.IsNaN(r.PerClass[c]) ? "–" : Percent(r.PerClass[c]));
        table.Add("mIoU", Percent(r.MeanIoU)).Add("pixel accuracy", Percent(r.PixelAccuracy));
        text.Append(table);
        return text.ToString();
    }

    public static JsonObject Json(SegmentationResult r, int pictures, int templates, string templateName)
    {
        var perClass = new JsonObject();
        for (var c = 0; c < r.ClassNames.Count; c++) perClass[r.ClassNames[c]] = double.IsNaN(r.PerClass[c]) ? null : r.PerClass[c];
        return new JsonObject
        {
            ["mIoU"] = r.MeanIoU,
            ["pixel_accuracy"] = r.PixelAccuracy,
            ["per_class_iou"] = perClass,
            ["class_names"] = new JsonArray(r.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
            ["canvases"] = r.Canvases,
            ["canvas_size"] = r.Options.CanvasSize,
            ["per_canvas"] = r.Options.PerCanvas,
            ["seed"] = r.Options.Seed,
            ["pictures"] = pictures,
            ["templates"] = templates,
            ["template_set"] = templateName,
        };
    }

    private static string Percent(double share) => Invariant($"{100 * share:F2}%");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
