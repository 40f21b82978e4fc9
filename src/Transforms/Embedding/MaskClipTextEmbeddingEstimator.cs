using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetClip.Transforms.Embedding;

/// <summary>The estimator behind <c>mlContext.Transforms.MaskClipEmbedText</c>; Fit checks the schema and returns the transformer.</summary>
public sealed class MaskClipTextEmbeddingEstimator : IEstimator<TextEmbeddingTransformer>
{
    private readonly MaskClipEmbedTextOptions _options;

    internal MaskClipTextEmbeddingEstimator(MaskClipEmbedTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    public TextEmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new TextEmbeddingTransformer(_options.Model!,
            new TextEmbeddingSettings(_options.InputColumnName, _options.OutputColumnName, _options.Normalize, _options.BatchSize));
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var name = _options.InputColumnName;
        var input = SchemaShapes.Find(inputSchema, name, TextEmbeddingTransformer.Name, "String");
        if (input.Kind != SchemaShape.Column.VectorKind.Scalar || input.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{TextEmbeddingTransformer.Name}: input column '{name}' is {input.ItemType} ({input.Kind}); expected String");
        return SchemaShapes.WithVector(inputSchema, _options.OutputColumnName, _options.Model!.Clip.Options.EmbedDim);
    }
}
