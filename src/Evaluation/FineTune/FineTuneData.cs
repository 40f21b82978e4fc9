using MLNetClip.Data.Datasets;
using MLNetClip.Evaluation.Data;

namespace MLNetClip.Evaluation.FineTune;

/// <summary>The training and test images of a fine-tune, from one labelled data set split by filters, sharing one class list.</summary>
/// <param name="Train">The training images.</param>
/// <param name="Test">The test images, labelled over the same classes.</param>
/// <param name="Description">Where both parts came from, in words.</param>
public sealed record FineTuneData(LabelledImages Train, LabelledImages Test, string Description)
{
    /// <summary>
    /// Reads the rows of <paramref name="data"/> twice, narrowed by each part's filters; the class
    /// list is the union of both parts' labels in ordinal order. A missing label column fails here,
    /// naming the file and the column; so do parts that overlap, since test accuracy on training
    /// images would mean nothing.
    /// </summary>
    public static FineTuneData Read(string data, string imageColumn, string labelColumn,
        IReadOnlyList<ColumnFilter> trainFilters, IReadOnlyList<ColumnFilter> testFilters)
    {
        var train = EvaluationData.Read(data, imageColumn, labelColumn, "label", trainFilters);
        var test = EvaluationData.Read(data, imageColumn, labelColumn, "label", testFilters);
        var trainKeys = train.Rows.Select(r => r.ImageKey).ToHashSet(StringComparer.Ordinal);
        if (test.Rows.FirstOrDefault(r => trainKeys.Contains(r.ImageKey)) is { } shared)
            throw new InvalidDataException($"{shared.Record.Origin}: image '{shared.ImageKey}' is in both the training and the test rows; " +
                "separate them with --train-where/--test-where");
        var classes = LabelledImages.DistinctClasses(train.Rows, test.Rows);
        if (classes.Count < 2) throw new InvalidDataException($"{train.Description}: the label column '{labelColumn}' has {classes.Count} class; a classifier needs at least 2");
        return new FineTuneData(LabelledImages.From(train.Rows, classes), LabelledImages.From(test.Rows, classes),
            $"train: {train.Description}; test: {test.Description}");
    }
}
