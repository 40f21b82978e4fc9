using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Transforms.Batching;

namespace MLNetClip.Transforms.ZeroShot;

/// <summary>
/// Scores image embeddings against zero-shot class weights: the cosine of the normalised embedding
/// with each class vector, PredictedLabel the best class (the lowest index on a tie, the tie rule
/// of our evaluator), Score the softmax of the cosines times the model's logit scale (CLIP's
/// zero-shot probabilities; the order, and so every top-k, is the cosines').
/// </summary>
internal sealed class ZeroShotScoringMapper : IBatchMapper
{
    private readonly ZeroShotSettings _settings;
    private readonly float[] _weights;            // [C, E] row-major, each row of unit length
    private readonly int _classes;
    private readonly int _dimension;

    public ZeroShotScoringMapper(ZeroShotSettings settings, float[] weights, int dimension)
    {
        _settings = settings;
        _weights = weights;
        _classes = settings.ClassNames.Count;
        _dimension = dimension;
        Outputs =
        [
            new BatchOutput(settings.ScoreColumn, new VectorDataViewType(NumberDataViewType.Single, _classes), _classes, SlotNames(settings.ClassNames)),
            new BatchOutput(settings.PredictedLabelColumn, new KeyDataViewType(typeof(uint), _classes), 1, KeyValues(settings.ClassNames)),
        ];
    }

    public string InputColumn => _settings.FeatureColumn;

    public IReadOnlyList<BatchOutput> Outputs { get; }

    public int BatchSize => 256;

    public Func<object> CreateReader(DataViewRow cursor)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(cursor.Schema[InputColumn]);
        return () =>
        {
            var value = default(VBuffer<float>);
            getter(ref value);
            var dense = new float[_dimension];
            value.CopyTo(dense);
            return dense;
        };
    }

    public void Map(IReadOnlyList<object> inputs, float[][] outputs)
    {
        var cosines = new double[_classes];
        for (var n = 0; n < inputs.Count; n++)
        {
            var x = (float[])inputs[n];
            double norm = 0;
            foreach (var v in x) norm += (double)v * v;
            var scale = 1 / Math.Max(Math.Sqrt(norm), 1e-12);
            var best = 0;
            for (var c = 0; c < _classes; c++)
            {
                double dot = 0;
                var row = _weights.AsSpan(c * _dimension, _dimension);
                for (var d = 0; d < _dimension; d++) dot += (double)x[d] * row[d];
                cosines[c] = dot * scale;
                if (cosines[c] > cosines[best]) best = c;
            }
            Softmax(cosines, _settings.LogitScale, outputs[0].AsSpan(n * _classes, _classes));
            outputs[1][n] = best + 1;                                                         // keys are 1-based
        }
    }

    private static void Softmax(double[] cosines, double logitScale, Span<float> probabilities)
    {
        var max = cosines.Max();
        double sum = 0;
        for (var c = 0; c < cosines.Length; c++) sum += Math.Exp(logitScale * (cosines[c] - max));
        for (var c = 0; c < cosines.Length; c++) probabilities[c] = (float)(Math.Exp(logitScale * (cosines[c] - max)) / sum);
    }

    // "SlotNames" and "KeyValues" are ML.NET's annotation kinds (its named constants are internal).
    private static DataViewSchema.Annotations SlotNames(IReadOnlyList<string> names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, names.Count), (ref VBuffer<ReadOnlyMemory<char>> value) => value = Names(names));
        return builder.ToAnnotations();
    }

    private static DataViewSchema.Annotations KeyValues(IReadOnlyList<string> names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Count), (ref VBuffer<ReadOnlyMemory<char>> value) => value = Names(names));
        return builder.ToAnnotations();
    }

    private static VBuffer<ReadOnlyMemory<char>> Names(IReadOnlyList<string> names) =>
        new(names.Count, names.Select(n => n.AsMemory()).ToArray());
}
