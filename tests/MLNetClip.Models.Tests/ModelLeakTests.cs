using MLNetClip.Torch;

namespace MLNetClip.Models.Tests;

[CollectionDefinition(nameof(LiveTensorCount), DisableParallelization = true)]
public sealed class LiveTensorCount;

/// <summary>Forward and backward passes free every intermediate native tensor.</summary>
[Collection(nameof(LiveTensorCount))]
public class ModelLeakTests
{
    [Fact]
    public void ForwardAndBackward_ReturnToTheBaselineLiveCount()
    {
        using var model = new Clip(ClipPresets.VitMicro());
        var images = Tensor.Randn([2, 3, 32, 32]);
        var ids = PresetTests.Captions(2, 77);
        var visible = Tensor.FromArray(new long[] { 0, 3, 5, 1, 2, 4 }, 2, 3);
        RunOnce(model, images, ids, visible);
        model.ZeroGrad();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Tensor.LiveCount;
        for (var i = 0; i < 3; i++)
        {
            RunOnce(model, images, ids, visible);
            model.ZeroGrad();
        }
        Assert.Equal(baseline, Tensor.LiveCount);
        images.Dispose();
        ids.Dispose();
        visible.Dispose();
    }

    private static void RunOnce(Clip model, Tensor images, Tensor ids, Tensor visible)
    {
        using var scope = DisposeScope.Begin();
        using (var enc = model.Visual.Encode(images, visible, keepHidden: [0, 2], attentionMap: true))
        using (var cls = enc.ClsToPatchAttention()) { }
        var (perImage, _) = model.GetLogits(images, ids);
        using var terms = new ClipLoss().Forward(model.EncodeImage(images, true), model.EncodeText(ids, true), model.LogitScaleFactor());
        (terms.Total + perImage.Sum() * 0).Backward();
    }
}
