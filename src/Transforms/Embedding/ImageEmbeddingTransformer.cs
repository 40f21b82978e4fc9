using Microsoft.ML;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Transforms.Batching;
using MLNetClip.Transforms.Saving;

namespace MLNetClip.Transforms.Embedding;

/// <summary>
/// Appends a CLIP image embedding, a known-size <c>Vector&lt;Single&gt;</c>, for the images of one
/// column. Made by <see cref="MaskClipEmbeddingEstimator"/> (<c>mlContext.Transforms.MaskClipEmbed</c>)
/// or by <c>LoadWithMaskClip</c>; batched on the model's device.
/// </summary>
public sealed class ImageEmbeddingTransformer : BatchedTransformer
{
    internal const string Kind = "imageEmbedding";
    internal const string Name = "MaskClipEmbed";

    private readonly ImageEmbeddingSettings _settings;

    internal ImageEmbeddingTransformer(EvaluationModel model, ImageEmbeddingSettings settings, IDisposable? owned = null) : base(owned)
    {
        Model = model;
        _settings = settings;
    }

    public EvaluationModel Model { get; }

    public string InputColumnName => _settings.InputColumn;

    public string OutputColumnName => _settings.OutputColumn;

    public ImageFeature Pooling => _settings.Pooling;

    public bool Normalize => _settings.Normalize;

    public int BatchSize => _settings.BatchSize;

    /// <summary>Length of the output vector.</summary>
    public int Dimension => ImageEmbeddingMapper.Width(Model, _settings.Pooling);

    private protected override IBatchMapper CreateMapper(DataViewSchema inputSchema) =>
        new ImageEmbeddingMapper(Model, _settings, ImageColumn.Classify(inputSchema, _settings.InputColumn, Name));

    private protected override void WriteTo(ArchiveWriter writer) => writer.AddTransform(Kind, _settings, ArchiveJson.Default.ImageEmbeddingSettings, writer.AddModel(Model));

    internal static ITransformer Load(ArchiveReader reader, TransformEntry entry)
    {
        var settings = reader.Settings(entry, ArchiveJson.Default.ImageEmbeddingSettings);
        var (model, owned) = reader.Model(entry.Model);
        return new ImageEmbeddingTransformer(model, settings, owned);
    }
}
