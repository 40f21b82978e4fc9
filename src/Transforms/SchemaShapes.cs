using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetClip.Transforms;

/// <summary>
/// Output SchemaShapes of our estimators. SchemaShape.Column has no public constructor, so the
/// shape is asked of a CustomMapping estimator given the columns' names and types; it is never fitted.
/// </summary>
internal static class SchemaShapes
{
    private static readonly MLContext Context = new(seed: 0);

    /// <summary>The input shape plus a float vector column <paramref name="name"/> (replacing a same-named one).</summary>
    public static SchemaShape WithVector(SchemaShape input, string name, int size)
    {
        var output = SchemaDefinition.Create(typeof(VectorRow));
        output[0].ColumnName = name;
        output[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return Context.Transforms.CustomMapping<NoInput, VectorRow>((_, _) => { }, null, outputSchemaDefinition: output).GetOutputSchema(input);
    }

    /// <summary>The input shape plus a score vector and a predicted-label key over <paramref name="classes"/> classes.</summary>
    public static SchemaShape WithScores(SchemaShape input, string score, string predictedLabel, int classes)
    {
        var output = SchemaDefinition.Create(typeof(ScoreRow));
        output[nameof(ScoreRow.Score)].ColumnName = score;
        output[nameof(ScoreRow.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classes);
        output[nameof(ScoreRow.PredictedLabel)].ColumnName = predictedLabel;
        output[nameof(ScoreRow.PredictedLabel)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        return Context.Transforms.CustomMapping<NoInput, ScoreRow>((_, _) => { }, null, outputSchemaDefinition: output).GetOutputSchema(input);
    }

    /// <summary>The input column's shape; a missing one fails naming it and what was expected.</summary>
    public static SchemaShape.Column Find(SchemaShape input, string name, string transform, string expected)
    {
        foreach (var column in input)
            if (column.Name == name) return column;
        throw new ArgumentOutOfRangeException(nameof(input), $"{transform}: input column '{name}' not found; expected {expected}");
    }

    public sealed class NoInput;

    public sealed class VectorRow
    {
        public float[] Vector { get; set; } = [];
    }

    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }
}
