using System.CommandLine;
using System.Globalization;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Emoji;
using MLNetClip.Data.Loading;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Models;
using MLNetClip.Pretraining.Training;
using MLNetClip.Reports.Runs;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip demo`, the main job: builds the emoji benchmark when it is missing, pretrains each
/// method on its training split for the same number of epochs, evaluates every model and the
/// baselines with MLNetClip.Evaluation, prints one table with a column per model, and writes each
/// run's eval-*.json files and report.html.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultPreset = "ViT-Emoji";
    public const double DefaultEpochs = 1;

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "folder for the runs (one per method, plus 'untrained')", DefaultValueFactory = _ => "runs/demo" };
        var data = new Option<string>("--data") { Description = "the emoji benchmark's folder; built there when it has no emoji.tsv", DefaultValueFactory = _ => DefaultDataDirectory() };
        var preset = new Option<string>("--preset") { Description = $"model size (see `pretrain --preset`)", DefaultValueFactory = _ => DefaultPreset };
        var methods = new Option<string>("--methods") { Description = "methods to train, comma-separated", DefaultValueFactory = _ => "clip,maskclip" };
        var epochs = new Option<double?>("--epochs") { Description = $"passes over the training split, the same for every method (default {DefaultEpochs})" };
        var minutes = new Option<double?>("--minutes") { Description = "instead of --epochs: this many minutes of training for each method" };
        var batchSize = new Option<int>("--batch-size") { Description = "image–caption pairs per step", DefaultValueFactory = _ => 64 };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        var seed = new Option<int>("--seed") { Description = "seed for initialisation, data order, augmentation and masks", DefaultValueFactory = _ => 0 };
        var probeTrain = new Option<int>("--probe-train") { Description = "emoji training images for the category probe (evenly spaced)", DefaultValueFactory = _ => 4000 };
        var fashionTrain = new Option<int>("--fashion-train") { Description = "Fashion-MNIST training images for its probe", DefaultValueFactory = _ => 5000 };
        var fashionTest = new Option<int>("--fashion-test") { Description = "Fashion-MNIST test images for its probe", DefaultValueFactory = _ => 2000 };
        var command = new Command("demo", "The main job: build the emoji benchmark, pretrain CLIP and MaskCLIP, evaluate them beside baselines, print one table")
        {
            output, data, preset, methods, epochs, minutes, batchSize, device, seed, probeTrain, fashionTrain, fashionTest,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(epochs) is not null && r.GetResult(minutes) is not null) r.AddError("give --epochs or --minutes, not both");
        });
        command.SetAction(parse =>
        {
            var options = new PretrainOptions
            {
                Preset = parse.GetValue(preset)!,
                BatchSize = parse.GetValue(batchSize),
                Device = parse.GetValue(device)!,
                Seed = parse.GetValue(seed),
                Minutes = parse.GetValue(minutes),
                Epochs = parse.GetValue(minutes) is null ? parse.GetValue(epochs) ?? DefaultEpochs : null,
            };
            var names = parse.GetValue(methods)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var name in names) (options with { Method = name }).Validate();
            var sizes = new DemoSizes(parse.GetValue(probeTrain), parse.GetValue(fashionTrain), parse.GetValue(fashionTest), PixelSize: 32);
            return Run(options, names, parse.GetValue(data)!, parse.GetValue(output)!, sizes);
        });
        return command;
    }

    /// <summary>$XDG_CACHE_HOME/mlnetclip/emoji, else ~/.cache/mlnetclip/emoji: built once, shared by every demo run.</summary>
    public static string DefaultDataDirectory()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
            ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "mlnetclip", "emoji");
    }

    private static int Run(PretrainOptions options, IReadOnlyList<string> methods, string dataDirectory, string output, DemoSizes sizes)
    {
        var started = DateTime.UtcNow;
        var manifest = EnsureData(dataDirectory);
        var data = DemoData.Read(manifest);
        var budget = options.Minutes is { } m ? $"{m:0.##} min each" : $"{options.Epochs:0.##} epoch(s) each";
        Console.WriteLine($"demo: {options.Preset}, {string.Join(" and ", methods)} for {budget} on {options.Device}, seed {options.Seed}; runs in {Path.GetFullPath(output)}");

        var evaluation = new DemoEvaluation(data, sizes);
        var chance = Chance(data);
        var pixels = new DemoScores("pixels");
        var (r1, r5) = (0.0, 0.0);
        var untrained = new DemoScores("untrained");
        var untrainedFolder = Path.Combine(output, "untrained");
        SaveUntrained(options, Path.Combine(untrainedFolder, "model"));
        Evaluate(untrainedFolder, options, embedder =>
        {
            (r1, r5) = DemoBaselines.PixelNeighbours(embedder, data.Train.Rows, data.Concept.Rows, sizes.PixelSize);
            pixels.Values[DemoScores.ConceptI2T1] = r1;
            pixels.Values[DemoScores.ConceptI2T5] = r5;
            (r1, r5) = DemoBaselines.PixelNeighbours(embedder, data.Train.Rows, data.Style.Rows, sizes.PixelSize);
            pixels.Values[DemoScores.StyleI2T1] = r1;
            pixels.Values[DemoScores.StyleI2T5] = r5;
            evaluation.Run(embedder, untrainedFolder, untrained, pixels);
        });

        var columns = new List<DemoScores> { chance, pixels, untrained };
        foreach (var method in methods)
        {
            var folder = Path.Combine(output, method);
            var source = FilteredSource.Where(ManifestSource.Open(manifest, new ManifestOptions { Separator = '\t', PathColumn = "filepath", CaptionColumn = "title" }),
                [ColumnFilter.Parse("split=train")]);
            Console.WriteLine($"demo: training {method}");
            var result = new Pretrainer(options with { Method = method }, source, folder, new DemoProgress()).Run();
            var scores = new DemoScores(method) { Training = (result.ElapsedSeconds, result.Steps) };
            Console.WriteLine(Invariant($"demo: {method} trained {result.Steps} steps in {result.ElapsedSeconds:F0} s; evaluating"));
            Evaluate(folder, options, embedder => evaluation.Run(embedder, folder, scores, null));
            columns.Add(scores);
        }
        // The untrained model has eval files but no run (no config or metrics) for a report to describe.
        var trained = columns.Skip(3).ToList();
        foreach (var run in trained)
        {
            var folder = Path.Combine(output, run.Name);
            RunReport.Write(folder, Path.Combine(folder, "report.html"), new RunReportOptions { Data = manifest, Filters = [ColumnFilter.Parse("split=test-concept")] });
        }
        Console.WriteLine();
        Console.Write(Table(columns));
        Console.WriteLine();
        Console.WriteLine("Read this as a check of the machinery, not of the method: a few CPU minutes of training from scratch show that");
        Console.WriteLine("every part runs end to end, not whether MaskCLIP beats CLIP (see docs/results.md for longer runs).");
        Console.WriteLine(Invariant($"reports: {string.Join(", ", trained.Select(c => Path.Combine(output, c.Name, "report.html")))}; took {(DateTime.UtcNow - started).TotalMinutes:F1} min"));
        return ExitCodes.Ok;
    }

    public static string Table(IReadOnlyList<DemoScores> columns)
    {
        var table = new TextTable(["", .. columns.Select(c => c.Name)]);
        table.Add(["training wall-clock", .. columns.Select(c => c.Training is { } t ? Invariant($"{t.Seconds:F0} s") : "–")]);
        table.Add(["training steps", .. columns.Select(c => c.Training is { } t ? t.Steps.ToString(CultureInfo.InvariantCulture) : "–")]);
        foreach (var row in DemoScores.Rows) table.Add([row, .. columns.Select(c => c.Cell(row))]);
        return table.ToString();
    }

    private static DemoScores Chance(DemoData data)
    {
        var chance = new DemoScores("chance");
        var concept1 = DemoBaselines.ChanceRecall(data.Concept.Rows, 1);
        var concept5 = DemoBaselines.ChanceRecall(data.Concept.Rows, 5);
        var style1 = DemoBaselines.ChanceRecall(data.Style.Rows, 1);
        var style5 = DemoBaselines.ChanceRecall(data.Style.Rows, 5);
        chance.Values[DemoScores.ConceptI2T1] = concept1.ImageToText;
        chance.Values[DemoScores.ConceptI2T5] = concept5.ImageToText;
        chance.Values[DemoScores.ConceptT2I1] = concept1.TextToImage;
        chance.Values[DemoScores.ConceptT2I5] = concept5.TextToImage;
        chance.Values[DemoScores.StyleI2T1] = style1.ImageToText;
        chance.Values[DemoScores.StyleI2T5] = style5.ImageToText;
        chance.Values[DemoScores.ZeroShot] = 1.0 / data.Concept.Rows.Select(r => r.Text).Distinct(StringComparer.Ordinal).Count();
        chance.Values[DemoScores.EmojiProbe] = 1.0 / data.Categories.Count;
        chance.Values[DemoScores.FashionProbe] = 0.1;
        return chance;
    }

    private static string EnsureData(string directory)
    {
        var manifest = Path.Combine(directory, "emoji.tsv");
        if (File.Exists(manifest)) return manifest;
        Console.WriteLine($"demo: building the emoji benchmark in {directory} (once; about two minutes)");
        var result = EmojiBenchmarkBuilder.Build(new EmojiBuildOptions { OutputDirectory = directory }, line => Console.WriteLine($"emoji: {line}"));
        return result.ManifestPath;
    }

    /// <summary>The model every method starts from (same preset and seed), saved as it is.</summary>
    private static void SaveUntrained(PretrainOptions options, string folder)
    {
        Generator.ManualSeed((ulong)options.Seed);
        using var model = new Clip(ClipPresets.All[options.Preset](Activation.Gelu));
        HuggingFaceClip.Save(model, folder);
    }

    private static void Evaluate(string folder, PretrainOptions options, Action<ClipEmbedder> body)
    {
        var previous = TorchRuntime.Threads;
        TorchRuntime.Threads = Environment.ProcessorCount;
        try
        {
            using var model = EvaluationModel.Load(Path.Combine(folder, "model"), Device.Parse(options.Device));
            body(new ClipEmbedder(model));
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One line per logged step, so a long demo shows it is alive.</summary>
    private sealed class DemoProgress : IPretrainProgress
    {
        public void Started(PretrainStart start) => Console.WriteLine(PretrainConsole.Describe(start));
        public void Logged(PretrainMetrics metrics) => Console.WriteLine(PretrainConsole.Line(metrics));
        public void Note(string message) { }
    }
}
