using System.CommandLine;
using System.Diagnostics;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Emoji;
using MLNetClip.Data.FashionMnist;
using MLNetClip.Data.Shards;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip data ...`: builds the emoji benchmark, converts any source into WebDataset shards,
/// and summarises a source or Fashion-MNIST. Data problems surface as exceptions that
/// <see cref="CliErrors"/> reports in one line.
/// </summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Build, convert and inspect data sets");
        command.Subcommands.Add(Emoji());
        command.Subcommands.Add(Shards());
        command.Subcommands.Add(Info());
        command.Subcommands.Add(FashionMnist());
        return command;
    }

    private static Command Emoji()
    {
        var output = new Option<string>("--out") { Description = "Folder to build the benchmark in", Required = true };
        var cache = new Option<string?>("--cache") { Description = $"Folder for the npm tarballs (default {NpmPackageCache.DefaultDirectory})" };
        var seed = new Option<int>("--seed") { Description = "Seed for the held-out concepts and caption tags", DefaultValueFactory = _ => 0 };
        var heldOut = new Option<double>("--held-out") { Description = "Share of non-flag concepts held out as unseen, in [0, 1)", DefaultValueFactory = _ => 0.2 };
        var variants = new Option<int>("--caption-variants") { Description = "Tag caption variants per training picture, 0 to 8", DefaultValueFactory = _ => 2 };
        var jobs = new Option<int>("--jobs") { Description = "Concurrent SVG renderers", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("emoji", "Build the emoji benchmark (Google + Twitter for training, OpenMoji held out) from pinned npm packages")
            { output, cache, seed, heldOut, variants, jobs };
        command.SetAction(parse =>
        {
            var result = EmojiBenchmarkBuilder.Build(new EmojiBuildOptions
            {
                OutputDirectory = parse.GetValue(output)!,
                CacheDirectory = parse.GetValue(cache),
                Seed = parse.GetValue(seed),
                HeldOutFraction = parse.GetValue(heldOut),
                CaptionVariants = parse.GetValue(variants),
                Parallelism = parse.GetValue(jobs),
            }, line => Console.WriteLine($"emoji: {line}"));
            Console.WriteLine(result.AlreadyBuilt
                ? $"emoji: {result.ManifestPath} is already built with these packages and options; nothing to do"
                : $"emoji: built in {result.Elapsed.TotalSeconds:F0} s ({result.ImagesWritten} images written)");
            Console.WriteLine($"emoji: {result.Counts}");
            Console.Write(result.Counts.ToMarkdown());
        });
        return command;
    }

    private static Command Shards()
    {
        var source = SourceOptions();
        var output = new Option<string>("--out") { Description = "Folder for the shards", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "Shard file name prefix", DefaultValueFactory = _ => "shard" };
        var maxCount = new Option<int>("--max-count") { Description = "Samples per shard", DefaultValueFactory = _ => 10_000 };
        var maxBytes = new Option<long?>("--max-bytes") { Description = "Approximate bytes per shard (optional)" };
        var command = new Command("shards", "Write any source (manifest, image folder, shards) as WebDataset tar shards")
            { output, prefix, maxCount, maxBytes };
        source.AddTo(command);
        command.SetAction(parse =>
        {
            var from = source.Open(parse);
            var clock = Stopwatch.StartNew();
            var summary = ShardWriter.Write(from, parse.GetValue(output)!, parse.GetValue(prefix)!, parse.GetValue(maxCount), parse.GetValue(maxBytes));
            Console.WriteLine($"shards: {summary.Written} samples in {summary.Shards.Count} shards in {clock.Elapsed.TotalSeconds:F1} s: {summary.Pattern}");
            foreach (var line in summary.Skipped.Take(20)) Console.WriteLine($"shards: skipped {line}");
            if (summary.Skipped.Count > 20) Console.WriteLine($"shards: ... {summary.Skipped.Count - 20} more skipped");
        });
        return command;
    }

    private static Command Info()
    {
        var source = SourceOptions();
        var show = new Option<int>("--show") { Description = "Records to print", DefaultValueFactory = _ => 5 };
        var command = new Command("info", "Count and show the records of a source") { show };
        source.AddTo(command);
        command.SetAction(parse =>
        {
            var from = source.Open(parse);
            Console.WriteLine($"{from.Description}: {from.Partitions.Count} partition(s)");
            if (from.ClassNames is { } classes) Console.WriteLine($"classes ({classes.Count}): {string.Join(", ", classes.Take(20))}");
            int count = 0, noImage = 0, noCaption = 0;
            foreach (var r in from.ReadAll())
            {
                if (count < parse.GetValue(show)) Console.WriteLine($"  {r}");
                count++;
                if (!r.HasImage) noImage++;
                if (string.IsNullOrWhiteSpace(r.Caption)) noCaption++;
            }
            Console.WriteLine($"{count} records, {noImage} without an image, {noCaption} without a caption");
        });
        return command;
    }

    private static Command FashionMnist()
    {
        var dir = new Option<string?>("--dir") { Description = $"Folder with the IDX files (default {FashionMnistDataset.DefaultDirectory})" };
        var command = new Command("fashion-mnist", "Check and summarise the installed Fashion-MNIST") { dir };
        command.SetAction(parse =>
        {
            foreach (var part in new[] { FashionMnistPart.Train, FashionMnistPart.Test })
            {
                var split = FashionMnistDataset.Load(part, parse.GetValue(dir));
                var perClass = split.Labels.CountBy(l => l).OrderBy(p => p.Key)
                    .Select(p => $"{FashionMnistDataset.ClassNames[p.Key]} {p.Value}");
                Console.WriteLine($"{part}: {split.Count} images; {string.Join(", ", perClass)}");
            }
        });
        return command;
    }

    /// <summary>The mutually exclusive ways to name a source, shared by `shards` and `info`.</summary>
    private sealed class SourceSelection
    {
        public Option<string?> Manifest { get; } = new("--manifest") { Description = "A TSV/CSV manifest (open_clip's filepath/title columns by default)" };
        public Option<string?> Folder { get; } = new("--folder") { Description = "An image folder with one sub-folder per class" };
        public Option<string?> ShardPattern { get; } = new("--shards") { Description = "WebDataset shards, e.g. 'data/shard-{000000..000009}.tar'" };
        public Option<string?> Separator { get; } = new("--separator") { Description = "Manifest separator: tab, comma or one character (default by extension)" };
        public Option<string> PathColumn { get; } = new("--path-column") { DefaultValueFactory = _ => "filepath", Description = "Manifest image path column" };
        public Option<string> CaptionColumn { get; } = new("--caption-column") { DefaultValueFactory = _ => "title", Description = "Manifest caption column" };
        public Option<string?> LabelColumn { get; } = new("--label-column") { Description = "Manifest class name column (optional)" };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Manifest, Folder, ShardPattern, Separator, PathColumn, CaptionColumn, LabelColumn })
                command.Options.Add(o);
            command.Validators.Add(result =>
            {
                var given = new[] { Manifest, Folder, ShardPattern }.Count(o => result.GetValue(o) is not null);
                if (given != 1) result.AddError("give exactly one of --manifest, --folder or --shards");
            });
        }

        public IImageTextSource Open(ParseResult parse)
        {
            if (parse.GetValue(Folder) is { } folder) return ImageFolderSource.Open(folder);
            if (parse.GetValue(ShardPattern) is { } pattern) return WebDatasetSource.Open(pattern);
            var manifest = parse.GetValue(Manifest)!;
            var separator = parse.GetValue(Separator) switch
            {
                null => ManifestOptions.SeparatorFor(manifest),
                "tab" or "\\t" => '\t',
                "comma" => ',',
                { Length: 1 } s => s[0],
                var s => throw new CliException($"--separator '{s}' must be tab, comma or a single character", ExitCodes.Usage),
            };
            return ManifestSource.Open(manifest, new ManifestOptions
            {
                Separator = separator,
                PathColumn = parse.GetValue(PathColumn)!,
                CaptionColumn = parse.GetValue(CaptionColumn)!,
                LabelColumn = parse.GetValue(LabelColumn),
            });
        }
    }

    private static SourceSelection SourceOptions() => new();
}
