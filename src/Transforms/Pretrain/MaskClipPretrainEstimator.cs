using Microsoft.ML;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Pretraining.Training;
using MLNetClip.Transforms.Embedding;

namespace MLNetClip.Transforms.Pretrain;

/// <summary>
/// Pretraining as an estimator: Fit reads the image and caption columns, runs the
/// <see cref="Pretrainer"/> (the CLI's training loop: progress, checkpoints, resume, cancellation)
/// into <see cref="MaskClipPretrainOptions.OutputDirectory"/>, and returns an image-embedding
/// transformer over the trained model (which it owns and disposes).
/// </summary>
public sealed class MaskClipPretrainEstimator : IEstimator<ImageEmbeddingTransformer>
{
    internal const string Name = "MaskClipPretrain";

    private readonly MaskClipPretrainOptions _options;

    internal MaskClipPretrainEstimator(MaskClipPretrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The run's result once Fit has finished.</summary>
    public PretrainResult? LastRun { get; private set; }

    public ImageEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var source = DataViewSource.Read(input, o.ImageColumnName, o.CaptionColumnName);
        var trainer = new Pretrainer(o.Pretraining, source, o.OutputDirectory!, o.Progress);
        var result = trainer.Run(o.Resume, o.CancellationToken);
        LastRun = result;
        if (result.Cancelled)
            throw new OperationCanceledException($"{Name}: cancelled at step {result.Steps} of {result.TotalSteps}; " +
                $"checkpoint {result.LastCheckpoint ?? "(none: no step had finished)"}; fit again with Resume = true to continue", o.CancellationToken);
        var model = EvaluationModel.Load(result.ModelDirectory!, Torch.Device.Parse(o.Pretraining.Device));
        var settings = new ImageEmbeddingSettings(o.ImageColumnName, o.OutputColumnName, o.Pooling, Normalize: true, BatchSize: 64, DecodeThreads: 0);
        return new ImageEmbeddingTransformer(model, settings, owned: model);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaShapes.Find(inputSchema, _options.ImageColumnName, Name, "a path (String) or encoded bytes (Vector<Byte>)");
        SchemaShapes.Find(inputSchema, _options.CaptionColumnName, Name, "String");
        var preset = Models.ClipPresets.All[_options.Pretraining.Preset](Torch.Nn.Activation.Gelu);
        var width = _options.Pooling == ImageFeature.Embedding ? preset.EmbedDim : preset.Vision.Width;
        return SchemaShapes.WithVector(inputSchema, _options.OutputColumnName, width);
    }
}
