using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Classification;

/// <summary>
/// Top-1, top-5, balanced accuracy and the confusion matrix from class scores.
///
/// Tie rule: classes with equal scores are ordered by class index, lower first, as an argmax that
/// returns the first maximum does. So the prediction is the lowest-indexed best class, and a label
/// is within the top k when fewer than k classes score higher than it or score the same with a
/// lower index. Top-1 and the confusion matrix always agree.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>How many best classes count for <see cref="ClassificationResult.Top5"/>.</summary>
    public const int TopK = 5;

    /// <summary>Scores [N, C] (logits or similarities, higher is better) against labels in [0, C).</summary>
    public static ClassificationResult Compute(Tensor scores, IReadOnlyList<int> labels)
    {
        if (scores.Dim != 2) throw new ArgumentException($"scores must be [N, C]; got [{string.Join(", ", scores.Shape)}]");
        float[] host;
        using (var scope = DisposeScope.Begin())
            host = scores.Detach().To(Device.Cpu, ScalarType.Float32).Contiguous().ToArray<float>();
        return Compute(host, (int)scores.Size(1), labels);
    }

    /// <summary>Row-major scores, <paramref name="classes"/> per sample, against labels in [0, classes).</summary>
    public static ClassificationResult Compute(ReadOnlySpan<float> scores, int classes, IReadOnlyList<int> labels)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "there must be at least one class");
        if (labels.Count == 0) throw new ArgumentException("no samples to score");
        if (scores.Length != (long)labels.Count * classes)
            throw new ArgumentException($"{scores.Length} scores do not make {labels.Count} rows of {classes} classes");
        var confusion = new long[classes, classes];
        int top1 = 0, topK = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if ((uint)label >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"sample {i} has label {label}; labels must be in [0, {classes})");
            var row = scores.Slice(i * classes, classes);
            if (ContainsNaN(row))
                throw new InvalidDataException($"sample {i} has a NaN score");
            var (prediction, rank) = PredictionAndRank(row, label);
            confusion[label, prediction]++;
            if (rank == 1) top1++;
            if (rank <= TopK) topK++;
        }
        var recalls = Recalls(confusion).Where(r => !double.IsNaN(r)).ToList();
        return new ClassificationResult(labels.Count, top1 / (double)labels.Count, topK / (double)labels.Count,
            recalls.Average(), recalls.Count, confusion);
    }

    /// <summary>Top-1 recall of each class from a confusion matrix [truth, prediction]; NaN for a class without samples.</summary>
    public static double[] Recalls(long[,] confusion)
    {
        var classes = confusion.GetLength(0);
        var recall = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            long total = 0;
            for (var p = 0; p < confusion.GetLength(1); p++) total += confusion[c, p];
            recall[c] = total == 0 ? double.NaN : confusion[c, c] / (double)total;
        }
        return recall;
    }

    /// <summary>The lowest-indexed best class, and the label's 1-based rank under the tie rule.</summary>
    private static (int Prediction, int Rank) PredictionAndRank(ReadOnlySpan<float> row, int label)
    {
        var prediction = 0;
        var ahead = 0;
        var target = row[label];
        for (var c = 0; c < row.Length; c++)
        {
            if (row[c] > row[prediction]) prediction = c;
            if (row[c] > target || (row[c] == target && c < label)) ahead++;
        }
        return (prediction, ahead + 1);
    }

    private static bool ContainsNaN(ReadOnlySpan<float> row)
    {
        foreach (var v in row) if (float.IsNaN(v)) return true;
        return false;
    }
}
