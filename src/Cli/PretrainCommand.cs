using System.CommandLine;
using System.Runtime.InteropServices;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Loading;
using MLNetClip.Data.Shards;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip pretrain`: trains a CLIP-family model with one of the methods on a manifest or
/// shards, into an output folder (config.json, metrics.jsonl, checkpoints/, model/). Options come
/// from the defaults, then --config FILE.json, then the flags given here. Ctrl+C (or SIGTERM)
/// finishes the current step, writes a checkpoint and exits with 130; --resume continues.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var method = new Option<string>("--method") { Description = $"Pretraining method: {string.Join(", ", PretrainingMethods.Names)}", Required = true };
        var data = new Option<string>("--data")
        {
            Description = "A TSV/CSV manifest (image path and caption columns) or WebDataset shards, e.g. 'dir/shard-{000000..000009}.tar'",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "Output folder for config.json, metrics.jsonl, checkpoints/ and model/", Required = true };
        var preset = new Option<string?>("--preset") { Description = "Model size (default ViT-Tiny): ViT-Micro, ViT-Tiny, ViT-B-32, ViT-B-16, ViT-L-14" };
        var config = new Option<string?>("--config") { Description = "A JSON file of options by their documented camelCase names (nested: \"maskClip\": {…})" };
        var steps = new Option<long?>("--steps") { Description = "Run length in optimisation steps" };
        var epochs = new Option<double?>("--epochs") { Description = "Run length in passes over the data" };
        var minutes = new Option<double?>("--minutes") { Description = "Run length as a time budget (the step count is fixed after timing the first steps)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Image–caption pairs per step (default 64)" };
        var device = new Option<string?>("--device") { Description = "cpu (default), cuda or cuda:N" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its newest checkpoint" };
        var seed = new Option<int?>("--seed") { Description = "Seed for initialisation, data order, augmentation and masks (default 0)" };
        var where = new Option<string[]>("--where") { Description = "Keep only rows whose COLUMN equals VALUE (repeatable), e.g. split=train" };
        var captionColumn = new Option<string>("--caption-column") { Description = "Manifest caption column", DefaultValueFactory = _ => "title" };
        var imageColumn = new Option<string>("--image-column") { Description = "Manifest image path column", DefaultValueFactory = _ => "filepath" };
        var unmaskedTuning = new Option<long?>("--unmasked-tuning-steps")
        {
            Description = "flip: the run's last N steps train on whole images (FLIP's unmasked tuning; default 0)",
        };
        var teacher = new Option<string?>("--teacher")
        {
            Description = "maskdistill, milan, maskalign, vqkd: the frozen CLIP teacher (a Hugging Face CLIP folder or a pretraining run's model/)",
        };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "beitv2: the output folder of a `pretrain --method vqkd` run" };
        var command = new Command("pretrain", "Pretrain a CLIP-family model (clip, maskclip, aclip, flip, maskdistill, …) on image–caption data")
        {
            method, data, output, preset, config, steps, epochs, minutes, batchSize, device, resume, seed, where, captionColumn, imageColumn,
            unmaskedTuning, teacher, tokenizer,
        };
        command.Validators.Add(result =>
        {
            if (new Option[] { steps, epochs, minutes }.Count(o => result.GetResult(o) is not null) > 1)
                result.AddError("give at most one of --steps, --epochs or --minutes");
        });
        command.SetAction(parse =>
        {
            var options = parse.GetValue(config) is { } file ? OptionsFile.Read(file) : new PretrainOptions();
            options = options with { Method = parse.GetValue(method)! };
            if (parse.GetValue(preset) is { } p) options = options with { Preset = p };
            if (parse.GetValue(steps) is not null || parse.GetValue(epochs) is not null || parse.GetValue(minutes) is not null)
                options = options with { Steps = parse.GetValue(steps), Epochs = parse.GetValue(epochs), Minutes = parse.GetValue(minutes) };
            if (parse.GetValue(batchSize) is { } b) options = options with { BatchSize = b };
            if (parse.GetValue(device) is { } d) options = options with { Device = d };
            if (parse.GetValue(seed) is { } s) options = options with { Seed = s };
            if (parse.GetValue(unmaskedTuning) is { } u) options = options with { Flip = options.Flip with { UnmaskedTuningSteps = u } };
            if (parse.GetValue(teacher) is { } t) options = options with { Distill = options.Distill with { Teacher = Path.GetFullPath(t) } };
            if (parse.GetValue(tokenizer) is { } k) options = options with { Distill = options.Distill with { Tokenizer = Path.GetFullPath(k) } };
            options = options with { Device = DistributedGroup.DeviceFor(options.Device) };
            options.Validate();
            var filters = (parse.GetValue(where) ?? []).Select(ColumnFilter.Parse).ToList();
            var source = OpenData(parse.GetValue(data)!, parse.GetValue(imageColumn)!, parse.GetValue(captionColumn)!, filters);
            return Train(options, source, parse.GetValue(output)!, parse.GetValue(resume));
        });
        return command;
    }

    private static int Train(PretrainOptions options, IImageTextSource source, string output, bool resume)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops after the current step with a checkpoint; a second one kills as usual.
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cancel.Cancel();
        });
        try
        {
            using var group = DistributedGroup.Join(options.Device, TimeSpan.FromSeconds(options.DataParallel.TimeoutSeconds));
            PretrainResult result;
            try
            {
                result = PretrainConsole.Run(options, source, output, resume, cancel.Token, group);
            }
            catch (TorchException e) when (group is not null && e.Message.StartsWith("distributed ", StringComparison.Ordinal))
            {
                throw DistributedGroup.Failure(group, e);
            }
            if (result.Cancelled)
            {
                Console.WriteLine($"interrupted at step {result.Steps} of {result.TotalSteps}: checkpoint {result.LastCheckpoint ?? "(none: no step was done)"}; " +
                    "continue with the same command and --resume");
                return ExitCodes.Cancelled;
            }
            if (group is { Rank: not 0 })
            {
                Console.WriteLine($"done: {result.Steps} steps in {result.ElapsedSeconds:F1} s (rank {group.Rank}; rank 0 wrote the run folder)");
                return ExitCodes.Ok;
            }
            Console.WriteLine($"done: {result.Steps} steps in {result.ElapsedSeconds:F1} s, {result.SkippedSteps} skipped; model {result.ModelDirectory}; " +
                $"checkpoint {result.LastCheckpoint}");
            return ExitCodes.Ok;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>A manifest (by path) or shards (a .tar name or brace pattern), narrowed by the --where filters.</summary>
    private static IImageTextSource OpenData(string data, string imageColumn, string captionColumn, IReadOnlyList<ColumnFilter> filters)
    {
        IImageTextSource source;
        if (data.Contains(".tar", StringComparison.OrdinalIgnoreCase))
            source = WebDatasetSource.Open(data);
        else
        {
            if (!File.Exists(data))
                throw new FileNotFoundException($"--data '{data}' does not exist; give a manifest (.tsv or .csv with '{imageColumn}' and " +
                    $"'{captionColumn}' columns) or shards such as 'dir/shard-{{000000..000009}}.tar' " +
                    "(`mlnetclip data emoji --out DIR` builds the emoji benchmark's DIR/emoji.tsv)", data);
            source = ManifestSource.Open(data, new ManifestOptions
            {
                Separator = ManifestOptions.SeparatorFor(data),
                PathColumn = imageColumn,
                CaptionColumn = captionColumn,
            });
        }
        return FilteredSource.Where(source, filters);
    }
}
