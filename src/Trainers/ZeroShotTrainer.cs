using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Evaluation.ZeroShot;
using MLNetClip.Torch;
using MLNetClip.Transforms;
using MLNetClip.Transforms.ZeroShot;

namespace MLNetClip.Trainers;

/// <summary>
/// Zero-shot classification as a multiclass trainer. Fit learns nothing from the data: it checks
/// the feature column (and the label column, when present, against the class names), then builds
/// the class vectors from the class names and prompt templates with the text tower
/// (<see cref="ZeroShotClassifier.Build"/>, as our evaluator does). The transformer writes Score and
/// PredictedLabel, so <c>mlContext.MulticlassClassification.Evaluate</c> works unchanged.
/// </summary>
public sealed class ZeroShotTrainer : IEstimator<ZeroShotScoringTransformer>
{
    private readonly ZeroShotTrainerOptions _options;

    internal ZeroShotTrainer(ZeroShotTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    public ZeroShotScoringTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckLabel(input.Schema);
        var o = _options;
        var model = o.Model!;
        model.RequireTextVocabulary();
        float[] weights;
        using (var scope = DisposeScope.Begin())
        {
            var built = ZeroShotClassifier.Build(model.Clip, model.Tokenizer, o.ClassNames, o.EffectiveTemplates, o.BatchSize); // [C, E]
            weights = built.To(Device.Cpu, ScalarType.Float32).Contiguous().ToArray<float>();
            built.Dispose();
        }
        var settings = new ZeroShotSettings(o.FeatureColumnName, "Score", "PredictedLabel", o.ClassNames.ToList(), o.EffectiveTemplates.ToList(),
            Math.Exp(model.Clip.LogitScale.Item()));
        var transformer = new ZeroShotScoringTransformer(settings, weights);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var dimension = _options.Model!.Clip.Options.EmbedDim;
        var feature = SchemaShapes.Find(inputSchema, _options.FeatureColumnName, ZeroShotScoringTransformer.Name, $"Vector<Single, {dimension}>");
        if (feature.Kind != SchemaShape.Column.VectorKind.Vector || feature.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{ZeroShotScoringTransformer.Name}: feature column '{feature.Name}' is {feature.ItemType} ({feature.Kind}); expected Vector<Single, {dimension}>");
        return SchemaShapes.WithScores(inputSchema, "Score", "PredictedLabel", _options.ClassNames.Count);
    }

    /// <summary>A label column, when there is one, must be a key whose values are the class names in order.</summary>
    private void CheckLabel(DataViewSchema schema)
    {
        var name = _options.LabelColumnName;
        if (string.IsNullOrEmpty(name) || schema.GetColumnOrNull(name) is not { } label) return;
        var classes = _options.ClassNames;
        if (label.Type is not KeyDataViewType key || key.Count != (ulong)classes.Count)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{ZeroShotScoringTransformer.Name}: label column '{name}' is {label.Type}; expected a key over the {classes.Count} class names " +
                "(MapValueToKey with keyData listing them in order)");
        if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is null) return;
        var values = default(VBuffer<ReadOnlyMemory<char>>);
        label.GetKeyValues(ref values);
        var names = values.DenseValues().Select(v => v.ToString()).ToList();
        for (var i = 0; i < classes.Count; i++)
            if (names[i] != classes[i])
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"{ZeroShotScoringTransformer.Name}: label column '{name}' key {i + 1} is '{names[i]}' but class {i} is '{classes[i]}'; " +
                    "map the labels with keyData listing the class names in order");
    }
}
