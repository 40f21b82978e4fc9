using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Distill;

public class DistillLossTests
{
    [Fact]
    public void SmoothL1OverMaskedTokensMatchesAHandComputation()
    {
        using var scope = DisposeScope.Begin();
        // One image, 3 tokens of width 2; differences 0.5, −2 | 1, 0 | 3, 0.2; β = 1.
        var predicted = Tensor.FromArray(new float[] { 0.5f, -2, 1, 0, 3, 0.2f }, 1, 3, 2);
        var target = Tensor.Zeros([1, 3, 2]);
        var weights = Tensor.FromArray(new float[] { 1, 0, 1 }, 1, 3);
        static double S(double x) => Math.Abs(x) < 1 ? 0.5 * x * x : Math.Abs(x) - 0.5;
        double token0 = (S(0.5) + S(-2)) / 2, token1 = (S(1) + S(0)) / 2, token2 = (S(3) + S(0.2)) / 2;
        using var masked = new FeatureSmoothL1Loss(1.0).Forward(predicted, target, weights);
        Assert.Equal((token0 + token2) / 2, masked["DistillLoss"].Item(), 6);
        using var all = new FeatureSmoothL1Loss(1.0).Forward(predicted, target);
        Assert.Equal((token0 + token1 + token2) / 3, all["DistillLoss"].Item(), 6);
        // β = 2 moves the switch point: |x| < 2 is quadratic, 0.5·x²/β.
        static double S2(double x) => Math.Abs(x) < 2 ? 0.25 * x * x : Math.Abs(x) - 1;
        using var wide = new FeatureSmoothL1Loss(2.0).Forward(predicted, target, weights);
        Assert.Equal(((S2(0.5) + S2(-2)) / 2 + (S2(3) + S2(0.2)) / 2) / 2, wide["DistillLoss"].Item(), 6);
    }

    [Fact]
    public void LayerAverageIsTheMeanOfEachLayersLoss()
    {
        using var scope = DisposeScope.Begin();
        var target = Tensor.Zeros([1, 1, 2]);
        var layers = new[] { Tensor.FromArray(new float[] { 0.5f, 0 }, 1, 1, 2), Tensor.FromArray(new float[] { 2, 2 }, 1, 1, 2) };
        using var terms = new FeatureSmoothL1Loss(1.0).ForwardLayers(layers, [target, target]);
        Assert.Equal((0.125 / 2 + 1.5) / 2, terms["DistillLoss"].Item(), 6);
        Assert.Equal(1.5, terms["Layer1"].Item(), 6);
    }

    [Fact]
    public void CosineLossIsScaleTimesOneMinusCos()
    {
        using var scope = DisposeScope.Begin();
        // Token 0 at 90° (cos 0), token 1 same direction at another length (cos 1).
        var predicted = Tensor.FromArray(new float[] { 1, 0, 2, 2 }, 1, 2, 2);
        var target = Tensor.FromArray(new float[] { 0, 3, 1, 1 }, 1, 2, 2);
        using var milan = new FeatureCosineLoss(2, "DistillLoss").Forward(predicted, target);
        Assert.Equal(2 - 2 * 0.5, milan["DistillLoss"].Item(), 6);
        // A 60° pair: cos = 0.5, so 1 − cos = 0.5.
        var a = Tensor.FromArray(new float[] { 1, 0 }, 1, 1, 2);
        var b = Tensor.FromArray(new float[] { 0.5f, (float)Math.Sqrt(0.75) }, 1, 1, 2);
        using var vqkd = new FeatureCosineLoss(1, "ReconstructionLoss").Forward(a, b);
        Assert.Equal(0.5, vqkd["ReconstructionLoss"].Item(), 6);
    }

    [Fact]
    public void CodeCrossEntropyCountsOnlyMaskedPatches()
    {
        using var scope = DisposeScope.Begin();
        // Two patches over 3 codes; only patch 1 masked. Its logits (0, ln 2, 0), code 1: −ln(2/4).
        var logits = Tensor.FromArray(new float[] { 5, 0, 0, 0, (float)Math.Log(2), 0 }, 1, 2, 3);
        var codes = Tensor.FromArray(new long[] { 2, 1 }, 1, 2);
        var mask = Tensor.FromArray(new float[] { 0, 1 }, 1, 2);
        using var terms = new CodeCrossEntropyLoss().Forward(logits, codes, mask);
        Assert.Equal(-Math.Log(0.5), terms["MimLoss"].Item(), 5);
        Assert.Equal(1.0, terms["CodeAccuracy"].Item(), 6);
    }
}
