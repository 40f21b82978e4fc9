using System.CommandLine;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Retrieval;
using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip eval zeroshot|retrieval|probe`: the standard numbers of a CLIP model on a manifest,
/// shards or an image folder, printed as tables and, with --json, written under stable keys
/// (<see cref="EvalJson"/>). Each command is a thin call into MLNetClip.Evaluation.
/// </summary>
internal static class EvalCommand
{
    private const string DataHelp = "a TSV/CSV manifest, WebDataset shards ('dir/shard-{000000..000009}.tar') or an image folder";

    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a CLIP model: zero-shot classification, image–text retrieval, linear probe, fine-tuning, zero-shot segmentation");
        command.Subcommands.Add(ZeroShot());
        command.Subcommands.Add(Retrieval());
        command.Subcommands.Add(EvalProbeCommand.Create());
        command.Subcommands.Add(EvalFineTuneCommand.Create());
        command.Subcommands.Add(EvalSegmentCommand.Create());
        return command;
    }

    private static Command ZeroShot()
    {
        var common = new EvalOptions(DataHelp);
        var label = LabelColumn();
        var classes = new Option<string?>("--classes") { HelpName = "FILE", Description = "class names, one per line (default: the label column's distinct values, sorted)" };
        var templates = new Option<string>("--templates")
        {
            HelpName = "openai|simple|FILE",
            Description = "prompt templates: OpenAI's 80 ImageNet ones, 7 of them, or a file with one '{}' template per line",
            DefaultValueFactory = _ => PromptTemplates.OpenAiName,
        };
        var command = new Command("zeroshot", "Zero-shot classification: class names × prompt templates against each image") { label, classes, templates };
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var prompts = PromptTemplates.Load(parse.GetValue(templates)!);
            var set = EvaluationData.Read(parse.GetValue(common.Data)!, parse.GetValue(common.ImageColumn)!, parse.GetValue(label)!, "label",
                common.Filters(parse));
            var classNames = parse.GetValue(classes) is { } file ? LabelledImages.ReadClassFile(file) : null;
            var data = LabelledImages.From(set.Rows, classNames);
            return common.WithModel(parse, embedder =>
            {
                Console.Write(EvalPrinter.Heading("zero-shot classification", embedder.Model, set.Description));
                var result = ZeroShotEvaluation.Evaluate(embedder, data, prompts);
                var templateName = parse.GetValue(templates)!;
                Console.Write(EvalPrinter.ZeroShot(result, templateName));
                if (parse.GetValue(common.Json) is { } json)
                    EvalJson.Write(json, "zeroshot", embedder.Model, set.Description, EvalJson.ZeroShot(result, templateName));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Retrieval()
    {
        var common = new EvalOptions(DataHelp);
        var caption = CaptionColumn();
        var command = new Command("retrieval", "Image→text and text→image retrieval: R@1/5/10 and median rank") { caption };
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var set = EvaluationData.Read(parse.GetValue(common.Data)!, parse.GetValue(common.ImageColumn)!, parse.GetValue(caption)!, "caption",
                common.Filters(parse));
            return common.WithModel(parse, embedder =>
            {
                Console.Write(EvalPrinter.Heading("image–text retrieval", embedder.Model, set.Description));
                var result = RetrievalEvaluation.Evaluate(embedder, set.Rows);
                Console.Write(EvalPrinter.Retrieval(result));
                if (parse.GetValue(common.Json) is { } json)
                    EvalJson.Write(json, "retrieval", embedder.Model, set.Description, EvalJson.Retrieval(result));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    public static Option<string> LabelColumn() => new("--label-column")
    {
        HelpName = "COLUMN", Description = "column (or shard JSON field) holding each image's class name", DefaultValueFactory = _ => EvaluationData.DefaultLabelColumn,
    };

    public static Option<string> CaptionColumn() => new("--caption-column")
    {
        HelpName = "COLUMN", Description = "column (or shard JSON field) holding the caption", DefaultValueFactory = _ => EvaluationData.DefaultCaptionColumn,
    };
}
