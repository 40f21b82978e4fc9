using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Reports.Tests;

/// <summary>CLIP models small enough to check by hand: 16-px images in 2×2 patches of 8, one block per tower.</summary>
internal static class TinyModels
{
    public static ClipOptions Options(int imageSize = 16) => new()
    {
        EmbedDim = 6,
        Vision = new() { ImageSize = imageSize, PatchSize = 8, Width = 8, Layers = 1, Heads = 2 },
        Text = new() { Width = 8, Layers = 1, Heads = 2, ContextLength = 16 },
    };

    /// <summary>A seeded model whose final image LayerNorm has non-trivial gains and biases (its init is 1 and 0).</summary>
    public static Clip Create(ulong seed = 3, int imageSize = 16)
    {
        Generator.ManualSeed(seed);
        var model = new Clip(Options(imageSize));
        using var noGrad = GradMode.NoGrad();
        model.Visual.Norm.Weight.Uniform_(0.5, 1.5);
        model.Visual.Norm.Bias.Uniform_(-0.3, 0.3);
        return model;
    }

    /// <summary>A CLIP-normalised-looking random image batch [B, 3, S, S].</summary>
    public static Tensor Images(int batch, int size = 16, ulong seed = 5)
    {
        using var generator = new Generator(seed);
        return Tensor.Randn([batch, 3, size, size], generator);
    }
}
