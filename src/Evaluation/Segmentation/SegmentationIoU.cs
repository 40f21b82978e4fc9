namespace MLNetClip.Evaluation.Segmentation;

/// <summary>
/// Mean intersection over union of label maps, accumulated over a whole set the way semantic
/// segmentation benchmarks count it: intersections and unions are summed over every pixel of every
/// image first, then divided per class. A class that occurs neither in the truth nor in the
/// prediction of any image has no IoU (0/0) and is left out of the mean; a class that is predicted
/// but never true has IoU 0 and stays in. Pixels whose truth is <see cref="IgnoreLabel"/> are not counted.
/// </summary>
public sealed class SegmentationIoU
{
    private readonly long[,] _counts;

    /// <param name="classes">Labels run over [0, classes).</param>
    /// <param name="ignoreLabel">A truth label that marks pixels to skip (unlabelled borders), or null.</param>
    public SegmentationIoU(int classes, int? ignoreLabel = null)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "there must be at least one class");
        Classes = classes;
        IgnoreLabel = ignoreLabel;
        _counts = new long[classes, classes];
    }

    public int Classes { get; }

    public int? IgnoreLabel { get; }

    /// <summary>Pixels counted so far.</summary>
    public long Pixels { get; private set; }

    /// <summary>Adds one image's predicted and true label maps (same length, row-major, any shape).</summary>
    public void Add(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth)
    {
        if (predicted.Length != truth.Length)
            throw new ArgumentException($"the prediction has {predicted.Length} pixels and the truth {truth.Length}");
        for (var i = 0; i < truth.Length; i++)
        {
            var t = truth[i];
            if (t == IgnoreLabel) continue;
            var p = predicted[i];
            if ((uint)t >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(truth), t, $"true label {t} at pixel {i} is outside [0, {Classes})");
            if ((uint)p >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(predicted), p, $"predicted label {p} at pixel {i} is outside [0, {Classes})");
            _counts[t, p]++;
            Pixels++;
        }
    }

    /// <summary>IoU of each class: true∧predicted / true∨predicted; NaN for a class absent from both.</summary>
    public double[] PerClass()
    {
        var iou = new double[Classes];
        for (var c = 0; c < Classes; c++)
        {
            long truth = 0, predicted = 0;
            for (var k = 0; k < Classes; k++)
            {
                truth += _counts[c, k];
                predicted += _counts[k, c];
            }
            var union = truth + predicted - _counts[c, c];
            iou[c] = union == 0 ? double.NaN : _counts[c, c] / (double)union;
        }
        return iou;
    }

    /// <summary>The mean of <see cref="PerClass"/> over the classes that have a value.</summary>
    public double Mean()
    {
        var present = PerClass().Where(v => !double.IsNaN(v)).ToList();
        return present.Count > 0 ? present.Average() : throw new InvalidOperationException("no pixels were counted, so there is no mIoU");
    }

    /// <summary>Pixel accuracy: the share of counted pixels whose prediction is the truth.</summary>
    public double PixelAccuracy()
    {
        if (Pixels == 0) throw new InvalidOperationException("no pixels were counted, so there is no accuracy");
        long right = 0;
        for (var c = 0; c < Classes; c++) right += _counts[c, c];
        return right / (double)Pixels;
    }
}
