using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Torch;
using MLNetClip.Transforms.Batching;

namespace MLNetClip.Transforms.Embedding;

/// <summary>Batches of texts through the frozen text tower: tokenised at the model's context length, projected, optionally L2-normalised.</summary>
internal sealed class TextEmbeddingMapper(EvaluationModel model, TextEmbeddingSettings settings) : IBatchMapper
{
    public string InputColumn => settings.InputColumn;

    public IReadOnlyList<BatchOutput> Outputs { get; } =
        [new(settings.OutputColumn, new VectorDataViewType(NumberDataViewType.Single, model.Clip.Options.EmbedDim), model.Clip.Options.EmbedDim)];

    public int BatchSize => settings.BatchSize;

    public Func<object> CreateReader(DataViewRow cursor)
    {
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(cursor.Schema[InputColumn]);
        return () =>
        {
            var text = default(ReadOnlyMemory<char>);
            getter(ref text);
            return text.ToString();
        };
    }

    public void Map(IReadOnlyList<object> inputs, float[][] outputs)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var texts = inputs.Cast<string>().ToList();
        var ids = model.Tokenizer.Tokenize(texts, model.Clip.Options.Text.ContextLength).To(model.Device); // [b, L]
        var embedding = model.Clip.EncodeText(ids, settings.Normalize);                                   // [b, E]
        embedding.To(Device.Cpu, ScalarType.Float32).Contiguous().ToArray<float>().CopyTo(outputs[0], 0);
    }
}
