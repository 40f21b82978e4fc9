using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Transforms.Batching;
using MLNetClip.Transforms.Saving;

namespace MLNetClip.Transforms.ZeroShot;

/// <summary>
/// The model a zero-shot multiclass trainer returns: Score (class probabilities) and
/// PredictedLabel (a key over the class names) from an image-embedding column, so that
/// <c>mlContext.MulticlassClassification.Evaluate</c> works unchanged. It holds only the class
/// weights and the logit scale, not the CLIP model.
/// </summary>
public sealed class ZeroShotScoringTransformer : BatchedTransformer
{
    internal const string Kind = "zeroShot";
    internal const string Name = "MaskClipZeroShot";

    private readonly ZeroShotSettings _settings;
    private readonly float[] _weights;

    internal ZeroShotScoringTransformer(ZeroShotSettings settings, float[] weights) : base(null)
    {
        if (weights.Length % settings.ClassNames.Count != 0)
            throw new ArgumentException($"{weights.Length} weights do not make {settings.ClassNames.Count} class vectors");
        _settings = settings;
        _weights = weights;
    }

    public IReadOnlyList<string> ClassNames => _settings.ClassNames;

    /// <summary>Length of the embedding the class vectors live in.</summary>
    public int Dimension => _weights.Length / _settings.ClassNames.Count;

    /// <summary>Class vector <paramref name="c"/>, unit length.</summary>
    public ReadOnlySpan<float> ClassWeights(int c) => _weights.AsSpan(c * Dimension, Dimension);

    private protected override IBatchMapper CreateMapper(DataViewSchema inputSchema)
    {
        var name = _settings.FeatureColumn;
        var column = inputSchema.GetColumnOrNull(name)
                     ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Name}: feature column '{name}' not found; expected Vector<Single, {Dimension}>");
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != Dimension)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{Name}: feature column '{name}' is {column.Type}; expected Vector<Single, {Dimension}> (MaskClipEmbed with Pooling = Embedding)");
        return new ZeroShotScoringMapper(_settings, _weights, Dimension);
    }

    private protected override void WriteTo(ArchiveWriter writer)
    {
        var array = writer.AddArray("zeroshot", _weights, [_settings.ClassNames.Count, Dimension]);
        writer.AddTransform(Kind, _settings with { WeightsArray = array }, ArchiveJson.Default.ZeroShotSettings, -1);
    }

    internal static ITransformer Load(ArchiveReader reader, TransformEntry entry)
    {
        var settings = reader.Settings(entry, ArchiveJson.Default.ZeroShotSettings);
        if (settings.WeightsArray is null || settings.ClassNames is not { Count: > 0 }) throw reader.Corrupt("the zero-shot entry lacks its classes or weights");
        var (weights, shape) = reader.Array(settings.WeightsArray);
        if (shape.Length != 2 || shape[0] != settings.ClassNames.Count)
            throw reader.Corrupt($"zero-shot weights have shape [{string.Join(", ", shape)}] for {settings.ClassNames.Count} classes");
        return new ZeroShotScoringTransformer(settings, weights);
    }
}
