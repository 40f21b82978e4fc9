using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Methods;

/// <summary>
/// Every method's backward smoke test: each trainable parameter gets a finite, non-zero gradient,
/// the EMA teacher none, and a step leaves no native tensor behind.
/// </summary>
public class MethodBackwardTests
{
    public static TheoryData<string, bool> Methods() => new()
    {
        { ClipMethod.MethodName, true },
        { MaskClipMethod.MethodName, true },
        { MaskClipMethod.MethodName, false },
        { MaskClipEfficientMethod.MethodName, true },
        { MaskClipEfficientMethod.MethodName, false },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryTrainableParameter_GetsAFiniteNonZeroGradient_AndTheTeacherNone(string name, bool textBranch)
    {
        using var method = MethodHarness.Create(name, TinyModels.Clip(), new MaskClipOptions { TextBranch = textBranch });
        using var images = TinyModels.Images();
        using var ids = TinyModels.Captions();
        using var generator = new Generator(3, TestDevice.Current);
        using (var batch = new PretrainBatch(images.Clone(), ids.Clone()))
        using (var terms = method.Forward(batch, new StepContext(generator, TestDevice.Current, totalSteps: 10)))
            terms.Total.Backward();

        var trainable = method.NamedParameters().Where(p => p.Value.RequiresGrad).ToList();
        Assert.NotEmpty(trainable);
        foreach (var (key, p) in trainable)
        {
            Assert.True(p.Grad is not null, $"{key} got no gradient");
            using var scope = DisposeScope.Begin();
            Assert.True(p.Grad!.IsFinite().LogicalNot().Sum().Item() == 0, $"{key} has a non-finite gradient");
            Assert.True(p.Grad!.Abs().Sum().Item() > 0, $"{key} has an all-zero gradient");
        }
        var frozen = method.NamedParameters().Where(p => !p.Value.RequiresGrad).ToList();
        Assert.All(frozen, p => Assert.StartsWith("teacher.", p.Key));
        Assert.All(frozen, p => Assert.Null(p.Value.Grad));
        if (name != ClipMethod.MethodName)
            Assert.Equal(method.Model.NamedParameters().Count(), frozen.Count);           // the whole teacher, and only it
        Assert.Equal(textBranch && name != ClipMethod.MethodName, trainable.Any(p => p.Key.StartsWith("text_decoder.", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void AStep_ReturnsTheLiveTensorCountToItsBaseline(string name, bool textBranch)
    {
        using var harness = new MethodHarness(MethodHarness.Create(name, TinyModels.Clip(), new MaskClipOptions { TextBranch = textBranch }), totalSteps: 10, learningRate: 1e-3);
        using var batch = new PretrainBatch(TinyModels.Images(), TinyModels.Captions());
        harness.Step(batch);                                                            // optimiser moments now exist
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Tensor.LiveCount;
        harness.Step(batch);
        harness.Step(batch);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Equal(baseline, Tensor.LiveCount);
    }
}
