using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Distill;

public class LayerAdaptersTests
{
    [Fact]
    public void MixingStartsAtIdentityPlusOnePercent()
    {
        using var all = new LayerAdapters(studentLayers: 3, alignedLayers: 3, studentWidth: 4, teacherWidth: 5);
        Assert.Equal(new float[] { 1.01f, 0.01f, 0.01f, 0.01f, 1.01f, 0.01f, 0.01f, 0.01f, 1.01f }, all.Mixing.ToArray<float>());
        // The top two of three: the last two rows of I + 0.01.
        using var top = new LayerAdapters(studentLayers: 3, alignedLayers: 2, studentWidth: 4, teacherWidth: 5);
        Assert.Equal(new float[] { 0.01f, 1.01f, 0.01f, 0.01f, 0.01f, 1.01f }, top.Mixing.ToArray<float>());
    }

    [Fact]
    public void EachOutputIsItsAdapterOfTheMixedLayersAndEveryAdapterGetsAGradient()
    {
        using var scope = DisposeScope.Begin();
        Generator.ManualSeed(1);
        using var align = new LayerAdapters(studentLayers: 3, alignedLayers: 3, studentWidth: 4, teacherWidth: 5);
        using (GradMode.NoGrad()) align.Mixing.Normal_(0, 1);
        var hidden = Enumerable.Range(0, 3).Select(_ => Tensor.Randn([2, 3, 4]).RequiresGrad_()).ToList();
        var outputs = align.Forward(hidden);
        var w = align.Mixing.ToArray<float>();
        for (var k = 0; k < 3; k++)
        {
            var mixed = hidden[0] * w[k * 3] + hidden[1] * w[k * 3 + 1] + hidden[2] * w[k * 3 + 2];
            var expected = F.Linear(mixed, align.Adapters[k].Weight, align.Adapters[k].Bias);
            Assert.True(outputs[k].AllClose(expected, rtol: 1e-5, atol: 1e-5), $"output {k} is not adapter {k} of mixing row {k}");
        }
        (outputs[0].Square().Sum() + outputs[1].Square().Sum() + outputs[2].Square().Sum()).Backward();
        foreach (var (adapter, k) in align.Adapters.Select((a, k) => (a, k)))
            Assert.True(adapter.Weight.Grad is { } g && g.Abs().Max().Item() > 0, $"adapter {k} got no gradient");
        Assert.True(align.Mixing.Grad is { } m && m.Abs().Max().Item() > 0, "the mixing matrix got no gradient");
        foreach (var h in hidden) Assert.NotNull(h.Grad);
    }
}
