using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Transforms.Batching;
using MLNetClip.Transforms.Saving;

namespace MLNetClip.Transforms.Embedding;

/// <summary>Appends a CLIP text embedding (known-size <c>Vector&lt;Single&gt;</c>) for a text column; batched on the model's device.</summary>
public sealed class TextEmbeddingTransformer : BatchedTransformer
{
    internal const string Kind = "textEmbedding";
    internal const string Name = "MaskClipEmbedText";

    private readonly TextEmbeddingSettings _settings;

    internal TextEmbeddingTransformer(EvaluationModel model, TextEmbeddingSettings settings, IDisposable? owned = null) : base(owned)
    {
        Model = model;
        _settings = settings;
    }

    public EvaluationModel Model { get; }

    public string InputColumnName => _settings.InputColumn;

    public string OutputColumnName => _settings.OutputColumn;

    private protected override IBatchMapper CreateMapper(DataViewSchema inputSchema)
    {
        var column = inputSchema.GetColumnOrNull(_settings.InputColumn)
                     ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Name}: input column '{_settings.InputColumn}' not found; expected String");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Name}: input column '{_settings.InputColumn}' is {column.Type}; expected String");
        Model.RequireTextVocabulary();
        return new TextEmbeddingMapper(Model, _settings);
    }

    private protected override void WriteTo(ArchiveWriter writer) => writer.AddTransform(Kind, _settings, ArchiveJson.Default.TextEmbeddingSettings, writer.AddModel(Model));

    internal static ITransformer Load(ArchiveReader reader, TransformEntry entry)
    {
        var settings = reader.Settings(entry, ArchiveJson.Default.TextEmbeddingSettings);
        var (model, owned) = reader.Model(entry.Model);
        return new TextEmbeddingTransformer(model, settings, owned);
    }
}
