using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetClip.Torch;

namespace MLNetClip.Transforms.Embedding;

/// <summary>
/// The estimator behind <c>mlContext.Transforms.MaskClipEmbed</c>. Nothing is learned: Fit checks
/// the schema and returns the transformer. The options are checked when the estimator is built.
/// </summary>
public sealed class MaskClipEmbeddingEstimator : IEstimator<ImageEmbeddingTransformer>
{
    private readonly MaskClipEmbedOptions _options;

    internal MaskClipEmbeddingEstimator(MaskClipEmbedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        if (options.Device is { } device)
        {
            var target = Device.Parse(device);
            if (options.Model!.Device != target) options.Model.Clip.To(target);
        }
    }

    public ImageEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = Create();
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        var input = SchemaShapes.Find(inputSchema, o.InputColumnName, ImageEmbeddingTransformer.Name, ImageColumn.Expected);
        var ok = input.Kind == SchemaShape.Column.VectorKind.Scalar && (input.ItemType is ImageDataViewType || input.ItemType is TextDataViewType)
                 || input.Kind != SchemaShape.Column.VectorKind.Scalar && input.ItemType == NumberDataViewType.Byte;
        if (!ok)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{ImageEmbeddingTransformer.Name}: input column '{o.InputColumnName}' is {input.ItemType} ({input.Kind}); expected {ImageColumn.Expected}");
        return SchemaShapes.WithVector(inputSchema, o.OutputColumnName, ImageEmbeddingMapper.Width(o.Model!, o.Pooling));
    }

    private ImageEmbeddingTransformer Create() => new(_options.Model!, new ImageEmbeddingSettings(_options.InputColumnName,
        _options.OutputColumnName, _options.Pooling, _options.Normalize, _options.BatchSize, _options.DecodeThreads));
}
