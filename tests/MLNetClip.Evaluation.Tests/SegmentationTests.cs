using MLNetClip.Evaluation.Segmentation;

namespace MLNetClip.Evaluation.Tests;

/// <summary>mIoU on hand-counted label maps.</summary>
public class SegmentationTests
{
    [Fact]
    public void APerfectPredictionScoresOne()
    {
        var iou = new SegmentationIoU(5);
        int[] truth = [0, 0, 1, 1, 2, 2, 2, 0];
        iou.Add(truth, truth);
        Assert.Equal(1.0, iou.Mean());
        Assert.Equal(1.0, iou.PixelAccuracy());
        // Classes 3 and 4 appear nowhere: they have no IoU rather than 0 or 1.
        Assert.True(double.IsNaN(iou.PerClass()[3]) && double.IsNaN(iou.PerClass()[4]));
    }

    [Fact]
    public void HandCountOverTwoImagesWithAnIgnoredPixelAndAFalseClass()
    {
        var iou = new SegmentationIoU(5, ignoreLabel: 255);
        // Image 1 (2×3): truth 0 0 1 / 1 2 2, prediction 0 0 1 / 2 2 2.
        iou.Add([0, 0, 1, 2, 2, 2], [0, 0, 1, 1, 2, 2]);
        // Image 2 (1×4): truth 1 255 2 0, prediction 3 0 2 0; the ignored pixel's prediction does not count.
        iou.Add([3, 0, 2, 0], [1, 255, 2, 0]);
        // Class 0: ∩ 3 (two in image 1, one in image 2), truth 3, prediction 3 → 3/3.
        // Class 1: ∩ 1, truth 3 (two, plus one in image 2), prediction 1 → 1/3.
        // Class 2: ∩ 3, truth 3, prediction 4 → 3/4.
        // Class 3: predicted once, never true → 0/1, which counts. Class 4: absent → left out.
        var perClass = iou.PerClass();
        Assert.Equal([1.0, 1 / 3.0, 0.75, 0.0], perClass[..4]);
        Assert.True(double.IsNaN(perClass[4]));
        Assert.Equal((1 + 1 / 3.0 + 0.75 + 0) / 4, iou.Mean(), 12);
        Assert.Equal(9, iou.Pixels);
        Assert.Equal(7 / 9.0, iou.PixelAccuracy(), 12);
    }

    [Fact]
    public void MismatchedOrOutOfRangeLabelsAreNamed()
    {
        var iou = new SegmentationIoU(3);
        Assert.Throws<ArgumentException>(() => iou.Add([0, 1], [0]));
        Assert.Contains("pixel 1", Assert.Throws<ArgumentOutOfRangeException>(() => iou.Add([0, 3], [0, 1])).Message);
        Assert.Contains("true label 7", Assert.Throws<ArgumentOutOfRangeException>(() => iou.Add([0], [7])).Message);
        Assert.Throws<InvalidOperationException>(() => new SegmentationIoU(2).Mean());
    }
}
