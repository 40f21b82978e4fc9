using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>Which token of a caption the text tower pools.</summary>
public enum TextPooling
{
    /// <summary>The position of the largest id (OpenAI and open_clip: the end token has the largest id).</summary>
    ArgMax,

    /// <summary>The first position holding <see cref="TextTowerOptions.EosTokenId"/> (Hugging Face); position 0 when absent.</summary>
    FirstEos,
}

/// <summary>Dimensions and choices of the causal text tower. Immutable; unpacked once by <see cref="TextTransformer"/>.</summary>
public sealed record TextTowerOptions
{
    /// <summary>Maximum tokens per caption, start and end tokens included.</summary>
    public int ContextLength { get; init; } = 77;

    public int VocabSize { get; init; } = 49408;

    public int Width { get; init; } = 512;

    public int Layers { get; init; } = 12;

    public int Heads { get; init; } = 8;

    public double MlpRatio { get; init; } = 4.0;

    public Activation Activation { get; init; } = Activation.Gelu;

    public TextPooling Pooling { get; init; } = TextPooling.ArgMax;

    /// <summary>The end-of-text id, used by <see cref="TextPooling.FirstEos"/> (and checked only then).</summary>
    public long EosTokenId { get; init; } = 49407;

    public double LayerNormEps { get; init; } = 1e-5;

    public long MlpHidden => (long)Math.Round(Width * MlpRatio);

    /// <summary>Throws naming the first option out of range (after <paramref name="prefix"/>, e.g. "Vision.").</summary>
    public void Validate(string prefix = "")
    {
        VisionTowerOptions.Require(ContextLength > 0, prefix + nameof(ContextLength), ContextLength, "> 0");
        VisionTowerOptions.Require(VocabSize > 0, prefix + nameof(VocabSize), VocabSize, "> 0");
        VisionTowerOptions.Require(Width > 0, prefix + nameof(Width), Width, "> 0");
        VisionTowerOptions.Require(Layers > 0, prefix + nameof(Layers), Layers, "> 0");
        VisionTowerOptions.Require(Heads > 0 && Width % Heads == 0, prefix + nameof(Heads), Heads, $"> 0 and dividing Width {Width}");
        VisionTowerOptions.Require(MlpRatio > 0 && MlpHidden > 0, prefix + nameof(MlpRatio), MlpRatio, "> 0");
        VisionTowerOptions.Require(Pooling != TextPooling.FirstEos || (EosTokenId >= 0 && EosTokenId < VocabSize), prefix + nameof(EosTokenId), EosTokenId, $"in 0..{VocabSize - 1}");
        VisionTowerOptions.Require(LayerNormEps > 0, prefix + nameof(LayerNormEps), LayerNormEps, "> 0");
    }
}
