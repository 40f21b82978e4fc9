using MLNetClip.Evaluation.Classification;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>Accuracy figures on hand-counted cases: ties, a class without samples, the top-5 edge.</summary>
public class ClassificationTests
{
    // 4 classes; class 3 has no samples. Labels 0, 0, 1, 2, 2.
    private static readonly float[] Scores =
    [
        0.9f, 0.1f, 0.0f, 0.0f,   // label 0: predicted 0
        0.5f, 0.5f, 0.2f, 0.0f,   // label 0: tie of 0 and 1, the lower index wins: predicted 0
        0.5f, 0.5f, 0.2f, 0.0f,   // label 1: the same tie, predicted 0; the label ranks 2nd
        0.1f, 0.2f, 0.3f, 0.4f,   // label 2: predicted 3 (the empty class); the label ranks 2nd
        0.3f, 0.3f, 0.3f, 0.3f,   // label 2: all tied, predicted 0; the label ranks 3rd
    ];

    private static readonly int[] Labels = [0, 0, 1, 2, 2];

    [Fact]
    public void HandCountedTop1BalancedAccuracyAndConfusion()
    {
        var r = ClassificationMetrics.Compute(Scores, 4, Labels);
        Assert.Equal(5, r.Samples);
        Assert.Equal(2 / 5.0, r.Top1, 12);
        Assert.Equal(1.0, r.Top5, 12);                       // fewer than five classes: every label is in the top 5
        // Recalls: class 0 2/2, class 1 0/1, class 2 0/2; class 3 has no samples and is left out.
        Assert.Equal(3, r.ClassesWithSamples);
        Assert.Equal(1 / 3.0, r.BalancedAccuracy, 12);
        Assert.Equal(new long[,] { { 2, 0, 0, 0 }, { 1, 0, 0, 0 }, { 1, 0, 0, 1 }, { 0, 0, 0, 0 } }, r.Confusion);
        var recalls = r.PerClassRecall();
        Assert.Equal([1.0, 0.0, 0.0], recalls[..3]);
        Assert.True(double.IsNaN(recalls[3]));
    }

    [Fact]
    public void TopFiveCountsRankFiveButNotRankSix()
    {
        // 7 classes, descending scores by index except where ties are built in.
        float[] scores =
        [
            7, 6, 5, 4, 3, 2, 1,     // label 4 ranks 5th: in
            7, 6, 5, 4, 3, 2, 1,     // label 5 ranks 6th: out
            1, 1, 1, 1, 1, 1, 1,     // label 4, all tied: four lower indices ahead, ranks 5th: in
            1, 1, 1, 1, 1, 1, 1,     // label 5, all tied: ranks 6th: out
            0, 0, 0, 0, 0, 0, 9,     // label 6 ranks 1st
        ];
        var r = ClassificationMetrics.Compute(scores, 7, [4, 5, 4, 5, 6]);
        Assert.Equal(3 / 5.0, r.Top5, 12);
        Assert.Equal(1 / 5.0, r.Top1, 12);
        // Recalls: class 4 0/2, class 5 0/2, class 6 1/1; the other four classes have no samples.
        Assert.Equal(3, r.ClassesWithSamples);
        Assert.Equal(1 / 3.0, r.BalancedAccuracy, 12);
    }

    [Fact]
    public void TensorScoresGiveTheSameResultOnTheTestDevice()
    {
        using var scope = DisposeScope.Begin();
        var scores = Tensor.FromArray(Scores, 5, 4).To(TestDevice.Current);
        var fromTensor = ClassificationMetrics.Compute(scores, Labels);
        var fromSpan = ClassificationMetrics.Compute(Scores, 4, Labels);
        Assert.Equal((fromSpan.Top1, fromSpan.Top5, fromSpan.BalancedAccuracy), (fromTensor.Top1, fromTensor.Top5, fromTensor.BalancedAccuracy));
        Assert.Equal(fromSpan.Confusion, fromTensor.Confusion);
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var label = Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.Compute(Scores, 4, [0, 0, 1, 4, 2]));
        Assert.Contains("sample 3 has label 4", label.Message);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(Scores, 4, [0, 0, 1]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(ReadOnlySpan<float>.Empty, 4, []));
        float[] nan = [0, float.NaN];
        Assert.Contains("sample 0", Assert.Throws<InvalidDataException>(() => ClassificationMetrics.Compute(nan, 2, [1])).Message);
    }
}
