using Microsoft.ML;
using MLNetClip.Pretraining.Training;
using MLNetClip.Samples;
using MLNetClip.Transforms;
using MLNetClip.Transforms.Pretrain;
using MLNetClip.Transforms.Saving;

// Pretraining from a TSV manifest (filepath, title) through MaskClipPretrain; Ctrl+C stops at the
// next step with a checkpoint, and --resume continues. The fitted embedding pipeline is saved as a zip.
const string usage = "Pretrain --data manifest.tsv --out RUN_DIR [--split train] [--method maskclip] [--preset ViT-Micro] [--steps 200] [--batch-size 32] [--resume]";
var a = new SampleArgs(args, usage);
var manifest = a.Required("--data");
var output = a.Required("--out");
var split = a.Get("--split");
var rows = Tsv.Read(manifest).Where(r => split is null || r.GetValueOrDefault("split") == split).Select(r => new PairRow { ImagePath = r["filepath"], Caption = Tsv.Column(r, "title", manifest) }).ToList();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var ml = new MLContext(seed: 0);
var pairs = ml.Data.LoadFromEnumerable(rows);
var pretrain = ml.Transforms.MaskClipPretrain(new MaskClipPretrainOptions
{
    Pretraining = new PretrainOptions
    {
        Method = a.Get("--method", "maskclip"), Preset = a.Get("--preset", "ViT-Micro"), Steps = a.Int("--steps", 200),
        BatchSize = a.Int("--batch-size", 32), LogEvery = Math.Max(1, a.Int("--steps", 200) / 10), CheckpointEvery = 100,
    },
    ImageColumnName = nameof(PairRow.ImagePath),
    CaptionColumnName = nameof(PairRow.Caption),
    OutputDirectory = output,
    Resume = args.Contains("--resume"),
    CancellationToken = stop.Token,
    Progress = new Lines(),
});
try
{
    using var embed = pretrain.Fit(pairs);
    var zip = Path.Combine(output, "embed-pipeline.zip");
    ml.Model.SaveWithMaskClip(embed, pairs.Schema, zip);
    Console.WriteLine($"trained {pretrain.LastRun!.Steps} steps; model {pretrain.LastRun.ModelDirectory}; pipeline {zip}");
    return 0;
}
catch (OperationCanceledException e)
{
    Console.WriteLine(e.Message);
    return 130;
}

internal sealed class PairRow
{
    public string ImagePath { get; set; } = "";
    public string Caption { get; set; } = "";
}

/// <summary>One console line per logged window: step, loss and every term.</summary>
internal sealed class Lines : IPretrainProgress
{
    public void Started(PretrainStart s) =>
        Console.WriteLine($"{s.Method} on {s.Device}: {s.Parameters:N0} trainable parameters, steps {s.FirstStep}..{s.TotalSteps}, {s.Data}");

    public void Logged(PretrainMetrics m) =>
        Console.WriteLine($"step {m.Step}/{m.TotalSteps}  " + string.Join("  ", m.Terms.Select(t => $"{t.Key} {t.Value:F4}")));

    public void Note(string message) => Console.WriteLine(message);
}
