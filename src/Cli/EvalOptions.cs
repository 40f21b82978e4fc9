using System.CommandLine;
using MLNetClip.Data.Datasets;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Torch;

namespace MLNetClip.Cli;

/// <summary>
/// The options every evaluation and `embed` share: the model folder, the data and its image column,
/// --where filters, the device, batch size and threads, and the --json output.
/// </summary>
internal sealed class EvalOptions
{
    public Option<string> Model { get; } = new("--model")
    {
        HelpName = "DIR",
        Description = "a Hugging Face CLIP folder (config.json + model.safetensors), e.g. a pretraining run's model/",
        Required = true,
    };

    public Option<string> Data { get; }

    public Option<string> ImageColumn { get; } = new("--image-column")
    {
        HelpName = "COLUMN", Description = "manifest column of image paths", DefaultValueFactory = _ => EvaluationData.DefaultImageColumn,
    };

    public Option<string[]> Where { get; } = new("--where")
    {
        HelpName = "COLUMN=VALUE", Description = "keep only rows whose COLUMN equals VALUE (repeatable), e.g. split=test-concept",
    };

    public Option<Device> Device { get; } = DeviceOption.Create();

    public Option<int> BatchSize { get; } = new("--batch-size")
    {
        HelpName = "N", Description = "images or texts per forward pass", DefaultValueFactory = _ => 64,
    };

    public Option<int> Threads { get; } = new("--threads")
    {
        HelpName = "N", Description = "libtorch threads and image decoders; 0 = one per core", DefaultValueFactory = _ => 0,
    };

    public Option<string?> Json { get; } = new("--json") { HelpName = "FILE", Description = "also write the numbers as JSON (keys: see the README)" };

    public EvalOptions(string dataDescription, bool dataRequired = true)
    {
        Data = new Option<string>("--data") { HelpName = "DATA", Description = dataDescription, Required = dataRequired };
        BatchSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65536) r.AddError("--batch-size must be 1 to 65536");
        });
        Threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 1024) r.AddError("--threads must be 0 (one per core) to 1024");
        });
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Model, Data, ImageColumn, Where, Device, BatchSize, Threads, Json })
            command.Options.Add(option);
    }

    public static IReadOnlyList<ColumnFilter> Filters(string[]? texts) => (texts ?? []).Select(ColumnFilter.Parse).ToList();

    public IReadOnlyList<ColumnFilter> Filters(ParseResult parse) => Filters(parse.GetValue(Where));

    /// <summary>Where the evaluations report each pass (images embedded, probe fits) while they run.</summary>
    public static void Progress(string line) => Console.WriteLine(line);

    /// <summary>Runs <paramref name="body"/> with libtorch's thread count set as asked and the model loaded, then restores the thread count.</summary>
    public int WithModel(ParseResult parse, Func<ClipEmbedder, int> body)
    {
        var threads = parse.GetValue(Threads) is > 0 and var t ? t : Environment.ProcessorCount;
        var previous = TorchRuntime.Threads;
        TorchRuntime.Threads = threads;
        try
        {
            using var model = EvaluationModel.Load(parse.GetValue(Model)!, parse.GetValue(Device));
            // A command embeds batch after batch of one size and then exits, the case HostMemory is for:
            // without it every CPU batch gets fresh zeroed pages (twice PyTorch's page faults at ViT-Tiny).
            if (!model.Device.IsCuda) HostMemory.RetainFreedBlocks();
            return body(new ClipEmbedder(model, parse.GetValue(BatchSize), threads, Progress));
        }
        finally
        {
            TorchRuntime.Threads = previous;
        }
    }
}
