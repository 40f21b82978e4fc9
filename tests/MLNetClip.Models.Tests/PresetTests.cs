using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models.Tests;

/// <summary>Preset sizes and a backward smoke test for every preset.</summary>
public class PresetTests
{
    /// <summary>
    /// Per preset: the image side to run at, and the parameter count (open_clip's for the ViT
    /// presets: ViT-B-32 151,277,313, ViT-B-16 149,620,737, ViT-L-14 427,616,513).
    /// The small presets run at their own image size. The large ones run at a smaller image (their
    /// position grid is resized bicubically, which the gradient flows through too): a 224-px ViT-L/14
    /// forward and backward on two CPU cores would dominate the suite without reaching any parameter
    /// that the small pass does not. The count is checked there too, so each large model is built once.
    /// </summary>
    public static TheoryData<string, int, long> Presets => new()
    {
        { "ViT-Micro", 32, 3_388_993 },
        { "ViT-Tiny", 64, 9_887_873 },
        { "ViT-Emoji", 32, 7_764_353 },
        { "ViT-B-32", 128, 151_277_313 },
        { "ViT-B-16", 112, 149_620_737 },
        { "ViT-L-14", 56, 427_616_513 },
    };

    [Theory]
    [MemberData(nameof(Presets))]
    public void ParameterCounts_FollowFromTheShapes(string preset, int imageSize, long parameters)
    {
        // Counted by hand from the open_clip layout: per block 12·D² + 13·D (q/k/v/out with biases,
        // two LayerNorms, the 4·D MLP); the conv has no bias, the projections none; one logit scale.
        _ = imageSize;
        var o = ClipPresets.All[preset](Activation.Gelu);
        long v = o.Vision.Width, t = o.Text.Width, e = o.EmbedDim, p = o.Vision.PatchSize, g = o.Vision.GridSize;
        Assert.Equal(4.0, o.Vision.MlpRatio);
        Assert.Equal(4.0, o.Text.MlpRatio);
        var vision = 3 * p * p * v + v + (g * g + 1) * v + 2 * v + o.Vision.Layers * (12 * v * v + 13 * v) + 2 * v + v * e;
        var text = (long)o.Text.VocabSize * t + o.Text.ContextLength * t + o.Text.Layers * (12 * t * t + 13 * t) + 2 * t + t * e;
        Assert.Equal(parameters, vision + text + 1);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Preset_HasItsParameterCount_AndBackwardReachesEveryParameter(string preset, int imageSize, long parameters)
    {
        Generator.ManualSeed(1);
        using var model = new Clip(ClipPresets.All[preset](Activation.Gelu));
        Assert.Equal(parameters, model.ParameterCount());
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
