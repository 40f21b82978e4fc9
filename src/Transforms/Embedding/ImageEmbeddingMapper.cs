using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Data.Images;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Torch;
using MLNetClip.Transforms.Batching;

namespace MLNetClip.Transforms.Embedding;

/// <summary>
/// Batches of images through the frozen vision tower: decoded and preprocessed on the CPU
/// (open_clip's evaluation transform), one forward pass per batch on the model's device, the
/// chosen vector copied back as float32, optionally L2-normalised.
/// </summary>
internal sealed class ImageEmbeddingMapper : IBatchMapper
{
    private readonly EvaluationModel _model;
    private readonly ImageEmbeddingSettings _settings;
    private readonly ImageColumnKind _kind;
    private readonly ImagePreprocessor _preprocessor;
    private readonly int _threads;

    public ImageEmbeddingMapper(EvaluationModel model, ImageEmbeddingSettings settings, ImageColumnKind kind)
    {
        _model = model;
        _settings = settings;
        _kind = kind;
        _preprocessor = ImagePreprocessor.Evaluation(model.ImageSize);
        _threads = settings.DecodeThreads == 0 ? Environment.ProcessorCount : settings.DecodeThreads;
        Outputs = [new BatchOutput(settings.OutputColumn, new VectorDataViewType(NumberDataViewType.Single, Width(model, settings.Pooling)),
            Width(model, settings.Pooling))];
    }

    public string InputColumn => _settings.InputColumn;

    public IReadOnlyList<BatchOutput> Outputs { get; }

    public int BatchSize => _settings.BatchSize;

    /// <summary>The vector's length: the joint embedding size, or the vision tower's width for token features.</summary>
    public static int Width(EvaluationModel model, ImageFeature pooling) =>
        pooling == ImageFeature.Embedding ? model.Clip.Options.EmbedDim : model.Clip.Options.Vision.Width;

    public Func<object> CreateReader(DataViewRow cursor) => ImageColumn.CreateReader(cursor, InputColumn, _kind);

    public void Map(IReadOnlyList<object> inputs, float[][] outputs)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var batch = _preprocessor.NewBatch(inputs.Count);                                   // [b, 3, S, S]
        var errors = new Exception?[inputs.Count];
        Parallel.For(0, inputs.Count, new ParallelOptions { MaxDegreeOfParallelism = _threads }, slot =>
        {
            try { ImageColumn.WriteInto(_preprocessor, batch, slot, inputs[slot]); }
            catch (Exception e) { errors[slot] = e; }
        });
        var first = Array.Find(errors, e => e is not null);
        if (first is not null) ExceptionDispatchInfo.Capture(first).Throw();
        var features = ClipEmbedder.Features(_model.Clip, batch.To(_model.Device), _settings.Pooling); // [b, D]
        if (_settings.Normalize) features = F.Normalize(features);
        features.To(Device.Cpu, ScalarType.Float32).Contiguous().ToArray<float>().CopyTo(outputs[0], 0);
    }
}
