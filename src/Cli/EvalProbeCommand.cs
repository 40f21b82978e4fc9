using System.CommandLine;
using System.Globalization;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.FashionMnist;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Probe;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip eval probe`: a linear probe on frozen features beside a raw-pixel probe. The parts come
/// from one --data narrowed by --train-where/--test-where (and --val-where), from separate
/// --train/--test (/--val) files, or from Fashion-MNIST (--data fashion-mnist).
/// </summary>
internal static class EvalProbeCommand
{
    public const string FashionMnistName = "fashion-mnist";

    public static Command Create()
    {
        var common = new EvalOptions($"the data of every part, or '{FashionMnistName}' (Debian's dataset-fashion-mnist, or ${FashionMnistDataset.DirectoryVariable})", dataRequired: false);
        var label = EvalCommand.LabelColumn();
        var train = new Option<string?>("--train") { HelpName = "DATA", Description = "training data (default --data)" };
        var test = new Option<string?>("--test") { HelpName = "DATA", Description = "test data (default --data)" };
        var val = new Option<string?>("--val") { HelpName = "DATA", Description = "validation data for choosing L2 (default: --data with --val-where, else a share held out of training)" };
        var trainWhere = Filters("--train-where", "training rows", "split=train");
        var testWhere = Filters("--test-where", "test rows", "split=test-concept");
        var valWhere = Filters("--val-where", "validation rows", "split=val");
        var feature = new Option<string>("--feature") { HelpName = "cls|mean|embedding", Description = "frozen feature: class token, mean of patch tokens, or projected embedding", DefaultValueFactory = _ => "cls" };
        var l2 = new Option<string>("--l2") { HelpName = "auto|VALUE", Description = "L2 strength on standardised features; auto chooses it on validation data from 1e-4..10", DefaultValueFactory = _ => "auto" };
        var pixelSize = new Option<int>("--pixel-size") { HelpName = "N", Description = "side the raw-pixel baseline's images are resized to", DefaultValueFactory = _ => 32 };
        var noPixels = new Option<bool>("--no-pixels") { Description = "skip the raw-pixel baseline" };
        var trainLimit = new Option<int?>("--train-limit") { HelpName = "N", Description = "use only the first N training images" };
        var testLimit = new Option<int?>("--test-limit") { HelpName = "N", Description = "use only the first N test images" };
        var iterations = new Option<int>("--max-iterations") { HelpName = "N", Description = "L-BFGS iterations per fit at most", DefaultValueFactory = _ => 1000 };
        var command = new Command("probe", "Linear probe on frozen image features, beside the same probe on raw pixels")
        {
            label, train, test, val, trainWhere, testWhere, valWhere, feature, l2, pixelSize, noPixels, trainLimit, testLimit, iterations,
        };
        common.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new ProbeEvaluationOptions
            {
                Feature = ParseFeature(parse.GetValue(feature)!),
                L2 = ParseL2(parse.GetValue(l2)!),
                PixelBaseline = !parse.GetValue(noPixels),
                PixelSize = parse.GetValue(pixelSize),
                Optimizer = new LbfgsOptions { MaxIterations = parse.GetValue(iterations) },
                Log = EvalOptions.Progress,
            };
            var limits = (parse.GetValue(trainLimit), parse.GetValue(testLimit));
            var parts = parse.GetValue(common.Data) == FashionMnistName
                ? FashionMnistParts(parse, [train, test, val], [trainWhere, testWhere, valWhere, common.Where], limits)
                : DataParts(parse, common, parse.GetValue(label)!, (train, trainWhere), (test, testWhere), (val, valWhere), limits);
            return common.WithModel(parse, embedder =>
            {
                Console.Write(EvalPrinter.Heading("linear probe", embedder.Model, parts.Description));
                var result = LinearProbeEvaluation.Evaluate(embedder, parts.Train, parts.Test, parts.ClassNames, options, parts.Validation);
                Console.Write(EvalPrinter.Probe(result));
                if (parse.GetValue(common.Json) is { } json)
                    EvalJson.Write(json, "probe", embedder.Model, parts.Description, EvalJson.Probe(result));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private sealed record Parts(ProbeSplit Train, ProbeSplit Test, ProbeSplit? Validation, IReadOnlyList<string> ClassNames, string Description);

    private static Parts DataParts(ParseResult parse, EvalOptions common, string labelColumn,
        (Option<string?> Data, Option<string[]> Where) train, (Option<string?> Data, Option<string[]> Where) test,
        (Option<string?> Data, Option<string[]> Where) val, (int? Train, int? Test) limits)
    {
        var shared = parse.GetValue(common.Data);
        string Source(Option<string?> data, string part) => parse.GetValue(data) ?? shared
            ?? throw new CliException($"no {part} data: give --data (with --train-where/--test-where) or --train and --test", ExitCodes.Usage);
        var trainData = Source(train.Data, "training");
        var testData = Source(test.Data, "test");
        var trainFilters = common.Filters(parse).Concat(EvalOptions.Filters(parse.GetValue(train.Where))).ToList();
        var testFilters = common.Filters(parse).Concat(EvalOptions.Filters(parse.GetValue(test.Where))).ToList();
        if (trainData == testData && trainFilters.ToHashSet().SetEquals(testFilters))
            throw new CliException("the training and test rows would be the same rows; separate them with --train-where/--test-where or --train/--test", ExitCodes.Usage);
        var valGiven = parse.GetValue(val.Data) is not null || parse.GetValue(val.Where) is { Length: > 0 };

        EvaluationSet Read(string data, IReadOnlyList<ColumnFilter> filters) =>
            EvaluationData.Read(data, parse.GetValue(common.ImageColumn)!, labelColumn, "label", filters);
        var trainSet = Read(trainData, trainFilters);
        var testSet = Read(testData, testFilters);
        var valSet = valGiven
            ? Read(Source(val.Data, "validation"), common.Filters(parse).Concat(EvalOptions.Filters(parse.GetValue(val.Where))).ToList())
            : null;
        var classNames = LabelledImages.DistinctClasses(trainSet.Rows, testSet.Rows, valSet?.Rows ?? []);
        ProbeSplit Split(EvaluationSet set, int? limit)
        {
            var images = LabelledImages.From(set.Rows, classNames);
            var count = Math.Min(limit ?? int.MaxValue, images.Count);
            return new ProbeSplit(new RecordImages(images.Images.Take(count).ToList()), images.Labels.Take(count).ToList());
        }
        var description = $"train: {trainSet.Description}; test: {testSet.Description}" + (valSet is null ? "" : $"; validation: {valSet.Description}");
        return new Parts(Split(trainSet, limits.Train), Split(testSet, limits.Test), valSet is null ? null : Split(valSet, null), classNames, description);
    }

    private static Parts FashionMnistParts(ParseResult parse, Option<string?>[] files, Option<string[]>[] filters, (int? Train, int? Test) limits)
    {
        if (files.Any(f => parse.GetValue(f) is not null) || filters.Any(f => parse.GetValue(f) is { Length: > 0 }))
            throw new CliException($"--data {FashionMnistName} has fixed train and test parts; --train/--test/--val and --where options do not apply", ExitCodes.Usage);
        var train = FashionMnistDataset.Load(FashionMnistPart.Train);
        var test = FashionMnistDataset.Load(FashionMnistPart.Test);
        var trainImages = new FashionMnistImages(train, Math.Min(limits.Train ?? int.MaxValue, train.Count));
        var testImages = new FashionMnistImages(test, Math.Min(limits.Test ?? int.MaxValue, test.Count));
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Fashion-MNIST in {FashionMnistDataset.ResolveDirectory()}: first {trainImages.Count:N0} of train, first {testImages.Count:N0} of t10k");
        return new Parts(new ProbeSplit(trainImages, trainImages.Labels), new ProbeSplit(testImages, testImages.Labels), null,
            FashionMnistDataset.ClassNames, description);
    }

    private static Option<string[]> Filters(string name, string what, string example) => new(name)
    {
        HelpName = "COLUMN=VALUE", Description = $"keep only {what} whose COLUMN equals VALUE (repeatable), e.g. {example}",
    };

    private static ImageFeature ParseFeature(string name)
    {
        var feature = ImageFeatureNames.Parse(name);
        return feature == ImageFeature.Pixels
            ? throw new CliException("--feature pixels is the baseline, which runs beside every probe; choose cls, mean or embedding", ExitCodes.Usage)
            : feature;
    }

    private static double? ParseL2(string text) =>
        text == "auto" ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v) ? v
        : throw new CliException($"--l2 '{text}' is neither 'auto' nor a number of 0 or more", ExitCodes.Usage);
}
