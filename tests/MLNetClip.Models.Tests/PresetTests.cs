using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models.Tests;

/// <summary>Preset sizes and a backward smoke test for every preset.</summary>
public class PresetTests
{
    [Fact]
    public void VitB16_HasOpenClipsParameterCount()
    {
        using var model = new Clip(ClipPresets.VitB16());
        Assert.Equal(149_620_737L, model.ParameterCount());
    }

    [Fact]
    public void VitB32AndL14_HaveTheParameterCountsOfTheirShapes()
    {
        // Counted by hand from the open_clip layout: per block 12·D² + 13·D (q/k/v/out with
        // biases, two LayerNorms, a 4·D MLP); the conv has no bias; both projections none.
        static long Tower(long d, long layers) => layers * (12 * d * d + 13 * d);
        long b32 = 3 * 32 * 32 * 768 + 768 + 50 * 768 + 2 * 768 + Tower(768, 12) + 2 * 768 + 768 * 512
            + 49408 * 512 + 77 * 512 + Tower(512, 12) + 2 * 512 + 512 * 512 + 1;
        long l14 = 3 * 14 * 14 * 1024 + 1024 + 257 * 1024 + 2 * 1024 + Tower(1024, 24) + 2 * 1024 + 1024 * 768
            + 49408 * 768 + 77 * 768 + Tower(768, 12) + 2 * 768 + 768 * 768 + 1;
        using (var model = new Clip(ClipPresets.VitB32())) Assert.Equal(b32, model.ParameterCount());
        using (var model = new Clip(ClipPresets.VitL14())) Assert.Equal(l14, model.ParameterCount());
    }

    /// <summary>
    /// Image side per preset. The small presets run at their own size; the large ones at a smaller
    /// image (their position grid is resized bicubically, which the gradient flows through too),
    /// because a full 224-px ViT-L/14 forward and backward on two CPU cores would dominate the suite
    /// without testing anything the 112-px pass does not.
    /// </summary>
    public static TheoryData<string, int> Presets => new()
    {
        { "ViT-Micro", 32 },
        { "ViT-Tiny", 64 },
        { "ViT-B-32", 128 },
        { "ViT-B-16", 112 },
        { "ViT-L-14", 112 },
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public void Backward_ReachesEveryTrainableParameter(string preset, int imageSize)
    {
        Generator.ManualSeed(1);
        using var model = new Clip(ClipPresets.All[preset](Activation.Gelu));
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 3, imageSize, imageSize]);
        var ids = Captions(2, model.Options.Text.ContextLength);

        using (var terms = new ClipLoss().Forward(model.EncodeImage(images, true), model.EncodeText(ids, true), model.LogitScaleFactor()))
        {
            Assert.True(double.IsFinite(terms.Total.Item()));
            terms.Total.Backward();
        }
        foreach (var (name, p) in model.NamedParameters())
        {
            using var grad = p.Grad;
            Assert.True(grad is not null, $"{preset}: {name} received no gradient");
            Assert.Equal(0, grad!.IsNan().To(ScalarType.Int64).Sum().ItemInt64());
        }
        // Something reached the embeddings of tokens that were used, and nothing of unused ones.
        using var tokenGrad = model.Text.TokenEmbed.Weight.Grad!;
        Assert.True(tokenGrad.Select(0, 49407).Abs().Sum().Item() > 0);
        Assert.Equal(0, tokenGrad.Select(0, 12345).Abs().Sum().Item());
    }

    [Fact]
    public void FrozenTower_ReceivesNoGradient()
    {
        using var model = new Clip(ClipPresets.VitMicro());
        model.Visual.Freeze();
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 3, 32, 32]);
        using (var terms = new ClipLoss().Forward(model.EncodeImage(images, true), model.EncodeText(Captions(2, 77), true), model.LogitScaleFactor()))
            terms.Total.Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            using var grad = p.Grad;
            if (name.StartsWith("visual.", StringComparison.Ordinal)) Assert.True(grad is null, $"frozen {name} got a gradient");
            else Assert.True(grad is not null, $"{name} received no gradient");
        }
        Assert.Equal(model.ParameterCount() - model.Visual.ParameterCount(), model.ParameterCount(trainableOnly: true));
    }

    [Fact]
    public void InvalidOptions_NameTheOption()
    {
        var bad = ClipPresets.VitMicro() with { Text = ClipPresets.VitMicro().Text with { Heads = 3 } };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Clip(bad));
        Assert.Contains("Text.Heads", e.Message);
        bad = ClipPresets.VitMicro() with { Vision = ClipPresets.VitMicro().Vision with { PatchSize = 5 } };
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new Clip(bad));
        Assert.Contains("Vision.PatchSize", e.Message);
    }

    /// <summary>Start token, a few words, end token (the largest id), zero padding: [n, length].</summary>
    internal static Tensor Captions(int n, int length)
    {
        var ids = new long[n * length];
        for (var r = 0; r < n; r++)
        {
            ids[r * length] = 49406;
            for (var j = 1; j <= 3 + r; j++) ids[r * length + j] = 320 + 7 * j + r;
            ids[r * length + 4 + r] = 49407;
        }
        return Tensor.FromArray(ids, n, length);
    }
}
