using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Methods;

/// <summary>
/// FLIP: the contrastive image embedding comes from the visible patches only (the same mask drawn
/// from the same generator state reproduces it), the final unmasked-tuning steps are plain CLIP on
/// whole images, and every trainable parameter gets a gradient.
/// </summary>
public class FlipTests
{
    private static FlipMethod Create(FlipOptions? options = null) =>
        (FlipMethod)PretrainingMethods.Create(FlipMethod.MethodName, TinyModels.Clip(),
            new PretrainOptions { Method = FlipMethod.MethodName, Flip = options ?? new FlipOptions() });

    [Fact]
    public void MaskedSteps_EncodeOnlyTheVisiblePatches()
    {
        using var method = Create();
        using var scope = DisposeScope.Begin();
        using var images = TinyModels.Images();
        using var ids = TinyModels.Captions();
        using var batch = new PretrainBatch(images.Clone(), ids.Clone());
        using var generator = new Generator(11, TestDevice.Current);
        using var same = new Generator(11, TestDevice.Current);
        using var terms = method.Forward(batch, new StepContext(generator, TestDevice.Current, totalSteps: 10));
        // The same draw, by hand: random masking of half the 2×2 grid, encoder on the kept patches.
        using var mask = PatchMasking.Random(4, new PatchGrid(2, 2), 0.5, same);
        Assert.Equal([4L, 2L], mask.VisibleIds.Shape);
        using var visible = method.Model.Visual.Encode(images, mask.VisibleIds);
        var expected = new ClipLoss().Forward(F.Normalize(visible.Embedding), F.Normalize(method.Model.EncodeText(ids)), method.Model.LogitScaleFactor());
        Assert.Equal(expected[ClipLoss.ContrastiveLoss].Item(), terms[ClipLoss.ContrastiveLoss].Item(), 5);
        var full = new ClipLoss().Forward(method.Model.EncodeImage(images, normalize: true), method.Model.EncodeText(ids, normalize: true), method.Model.LogitScaleFactor());
        Assert.NotEqual(full[ClipLoss.ContrastiveLoss].Item(), terms[ClipLoss.ContrastiveLoss].Item(), 5);
        Assert.Equal(0.5, terms[FlipMethod.PatchDropoutTerm].Item(), 6);
        expected.Dispose();
        full.Dispose();
    }

    [Fact]
    public void UnmaskedTuning_TheLastStepsAreCLIPOnWholeImages()
    {
        using var method = Create(new FlipOptions { UnmaskedTuningSteps = 3 });
        Assert.True(method.IsMasked(6, 10));
        Assert.False(method.IsMasked(7, 10));
        Assert.False(method.IsMasked(9, 10));
        using var scope = DisposeScope.Begin();
        using var images = TinyModels.Images();
        using var ids = TinyModels.Captions();
        using var batch = new PretrainBatch(images.Clone(), ids.Clone());
        using var generator = new Generator(11, TestDevice.Current);
        using var terms = method.Forward(batch, new StepContext(generator, TestDevice.Current, totalSteps: 10) { Step = 8 });
        using var clip = new ClipLoss().Forward(method.Model.EncodeImage(images, normalize: true), method.Model.EncodeText(ids, normalize: true), method.Model.LogitScaleFactor());
        Assert.Equal(clip[ClipLoss.ContrastiveLoss].Item(), terms[ClipLoss.ContrastiveLoss].Item(), 6);
        Assert.Equal(0.0, terms[FlipMethod.PatchDropoutTerm].Item());
    }

    [Fact]
    public void EveryTrainableParameter_GetsAGradient_AndAStepLeavesNoTensorBehind()
    {
        using var harness = new MethodHarness(Create(), totalSteps: 10, learningRate: 1e-3);
        using var batch = new PretrainBatch(TinyModels.Images(), TinyModels.Captions());
        using (var terms = harness.Method.Forward(batch, harness.Context)) terms.Total.Backward();
        foreach (var (key, p) in harness.Method.NamedParameters())
        {
            Assert.True(p.RequiresGrad && p.Grad is not null, $"{key} got no gradient");
            using var scope = DisposeScope.Begin();
            Assert.True(p.Grad!.Abs().Sum().Item() > 0, $"{key} has an all-zero gradient");
        }
        harness.Optimizer.ZeroGrad();
        harness.Step(batch);
        var baseline = LiveTensors.Baseline();
        harness.Step(batch);
        Assert.Equal(baseline, LiveTensors.Baseline());
    }

    [Fact]
    public void Options_OutOfRange_NameTheOption()
    {
        Assert.Contains("Flip.PatchDropout", Assert.Throws<ArgumentOutOfRangeException>(() => new FlipOptions { PatchDropout = 1 }.Validate()).Message);
        Assert.Contains("Flip.Masking", Assert.Throws<ArgumentOutOfRangeException>(() => new FlipOptions { Masking = "attentive" }.Validate()).Message);
        Assert.Contains("Flip.UnmaskedTuningSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new FlipOptions { UnmaskedTuningSteps = -1 }.Validate()).Message);
    }
}
