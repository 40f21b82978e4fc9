using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests;

/// <summary>Small models and inputs for unit tests.</summary>
internal static class TinyModels
{
    /// <summary>A CLIP small enough for exact checks: 16-px images in 4 patches of 8, one layer per tower, 100 tokens.</summary>
    public static ClipOptions Options { get; } = new()
    {
        EmbedDim = 8,
        Vision = new() { ImageSize = 16, PatchSize = 8, Width = 16, Layers = 1, Heads = 2 },
        Text = new() { VocabSize = 100, ContextLength = 8, Width = 16, Layers = 1, Heads = 2, EosTokenId = 99 },
    };

    public static Clip Clip(ulong seed = 0)
    {
        Generator.ManualSeed(seed);
        var model = new Clip(Options);
        model.To(TestDevice.Current);
        return model;
    }

    /// <summary>Captions for <see cref="Options"/>: start 98, words, end 99 (the largest id), padding 0.</summary>
    public static Tensor Captions() => Tensor.FromArray(new long[]
    {
        98, 5, 6, 7, 99, 0,
        98, 8, 99, 0, 0, 0,
        98, 9, 10, 11, 12, 99,
        98, 13, 14, 99, 0, 0,
    }, 4, 6).To(TestDevice.Current);

    public static Tensor Images(ulong seed = 1)
    {
        using var generator = new Generator(seed);
        using var cpu = Tensor.Randn([4, 3, 16, 16], generator);
        return cpu.To(TestDevice.Current);
    }
}
