using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MLNetClip.Evaluation.FineTune;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip eval finetune`: the image tower plus a linear head trained end to end on labelled
/// training rows, with layer-wise lr decay, then top-1 on the test rows. JSON keys: top1, top5,
/// balanced_accuracy, steps, epochs, learning_rate, layer_decay, weight_decay, batch_size, final_loss,
/// train_images, test_images, seconds, class_names, confusion.
/// </summary>
internal static class EvalFineTuneCommand
{
    public static Command Create()
    {
        var common = new EvalOptions("a TSV/CSV manifest, WebDataset shards or an image folder holding both parts");
        var label = EvalCommand.LabelColumn();
        var trainWhere = new Option<string[]>("--train-where") { HelpName = "COLUMN=VALUE", Description = "keep only training rows whose COLUMN equals VALUE (repeatable), e.g. split=train" };
        var testWhere = new Option<string[]>("--test-where") { HelpName = "COLUMN=VALUE", Description = "keep only test rows whose COLUMN equals VALUE (repeatable), e.g. split=test-concept" };
        var epochs = new Option<int>("--epochs") { HelpName = "N", Description = "passes over the training images", DefaultValueFactory = _ => 10 };
        var steps = new Option<int?>("--steps") { HelpName = "N", Description = "optimiser steps in all (instead of --epochs)" };
        var lr = new Option<double>("--lr") { HelpName = "RATE", Description = "peak learning rate (head and top block)", DefaultValueFactory = _ => 1e-3 };
        var layerDecay = new Option<double>("--layer-decay") { HelpName = "D", Description = "layer-wise lr decay in (0, 1]; 1 is off", DefaultValueFactory = _ => 0.75 };
        var weightDecay = new Option<double>("--weight-decay") { HelpName = "W", Description = "AdamW weight decay on weight matrices", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<int>("--seed") { HelpName = "N", Description = "head initialisation, batch order and crops", DefaultValueFactory = _ => 0 };
        var command = new Command("finetune", "Fine-tune the image tower with a linear head end to end, then report test top-1")
        {
            label, trainWhere, testWhere, epochs, steps, lr, layerDecay, weightDecay, seed,
        };
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var train = common.Filters(parse).Concat(EvalOptions.Filters(parse.GetValue(trainWhere))).ToList();
            var test = common.Filters(parse).Concat(EvalOptions.Filters(parse.GetValue(testWhere))).ToList();
            if (train.ToHashSet().SetEquals(test))
                throw new CliException("the training and test rows would be the same rows; separate them with --train-where/--test-where", ExitCodes.Usage);
            var options = Options(parse, common, epochs, steps, lr, layerDecay, weightDecay, seed);
            var data = FineTuneData.Read(parse.GetValue(common.Data)!, parse.GetValue(common.ImageColumn)!, parse.GetValue(label)!, train, test);
            return common.WithModel(parse, embedder =>
            {
                var result = FineTuning.Run(embedder.Model.Clip.Visual, data.Train, data.Test, options with { DecodeThreads = embedder.DecodeThreads });
                Console.Write(EvalPrinter.Heading("fine-tuning", embedder.Model, data.Description));
                Console.Write(Print(result, options));
                if (parse.GetValue(common.Json) is { } json)
                    EvalJson.Write(json, "finetune", embedder.Model, data.Description, Json(result, options));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static FineTuneOptions Options(ParseResult parse, EvalOptions common, Option<int> epochs, Option<int?> steps, Option<double> lr,
        Option<double> layerDecay, Option<double> weightDecay, Option<int> seed)
    {
        var options = new FineTuneOptions
        {
            Epochs = parse.GetValue(epochs), Steps = parse.GetValue(steps), BatchSize = parse.GetValue(common.BatchSize),
            LearningRate = parse.GetValue(lr), LayerDecay = parse.GetValue(layerDecay), WeightDecay = parse.GetValue(weightDecay), Seed = parse.GetValue(seed),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CliException($"{Flag(e.ParamName)}: {e.Message.Split(" (Parameter")[0]}", ExitCodes.Usage);
        }
        return options;
    }

    private static string Flag(string? option) => option switch
    {
        nameof(FineTuneOptions.LearningRate) => "--lr",
        nameof(FineTuneOptions.LayerDecay) => "--layer-decay",
        nameof(FineTuneOptions.WeightDecay) => "--weight-decay",
        nameof(FineTuneOptions.BatchSize) => "--batch-size",
        _ => "--" + option?.ToLowerInvariant(),
    };

    public static string Print(FineTuneResult r, FineTuneOptions o)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"{r.TrainImages:N0} training and {r.TestImages:N0} test images, {r.ClassNames.Count} classes; {r.Steps:N0} steps of {o.BatchSize}, ") +
            Invariant($"lr {o.LearningRate:G3}, layer decay {o.LayerDecay:G3}, weight decay {o.WeightDecay:G3}; final loss {r.FinalLoss:F4}; {r.Seconds:F1} s"));
        text.AppendLine();
        text.Append(new TextTable("metric", "value")
            .Add("top-1", Percent(r.Test.Top1))
            .Add("top-5", Percent(r.Test.Top5))
            .Add("balanced accuracy", Percent(r.Test.BalancedAccuracy)));
        return text.ToString();
    }

    public static JsonObject Json(FineTuneResult r, FineTuneOptions o)
    {
        var confusion = new JsonArray();
        for (var t = 0; t < r.Test.Confusion.GetLength(0); t++)
            confusion.Add((JsonNode)new JsonArray(Enumerable.Range(0, r.Test.Confusion.GetLength(1)).Select(p => (JsonNode)JsonValue.Create(r.Test.Confusion[t, p])).ToArray()));
        return new JsonObject
        {
            ["top1"] = r.Test.Top1,
            ["top5"] = r.Test.Top5,
            ["balanced_accuracy"] = r.Test.BalancedAccuracy,
            ["steps"] = r.Steps,
            ["epochs"] = o.Steps is null ? o.Epochs : null,
            ["learning_rate"] = o.LearningRate,
            ["layer_decay"] = o.LayerDecay,
            ["weight_decay"] = o.WeightDecay,
            ["batch_size"] = o.BatchSize,
            ["final_loss"] = r.FinalLoss,
            ["train_images"] = r.TrainImages,
            ["test_images"] = r.TestImages,
            ["seconds"] = r.Seconds,
            ["class_names"] = new JsonArray(r.ClassNames.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
            ["confusion"] = confusion,
        };
    }

    private static string Percent(double share) => Invariant($"{100 * share:F2}%");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
