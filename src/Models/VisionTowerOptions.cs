using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>How the vision tower turns its tokens into one vector.</summary>
public enum VisionPooling
{
    /// <summary>The class token (CLIP, Hugging Face).</summary>
    Cls,

    /// <summary>The mean of the patch tokens, class token excluded (MaskCLIP).</summary>
    MeanPatches,
}

/// <summary>Dimensions and choices of a ViT image tower. Immutable; unpacked once by <see cref="VisionTransformer"/>.</summary>
public sealed record VisionTowerOptions
{
    /// <summary>Training image side in pixels; the position-embedding grid is ImageSize / PatchSize per side.</summary>
    public int ImageSize { get; init; } = 224;

    public int PatchSize { get; init; } = 16;

    public int Channels { get; init; } = 3;

    public int Width { get; init; } = 768;

    public int Layers { get; init; } = 12;

    public int Heads { get; init; } = 12;

    /// <summary>MLP hidden width over <see cref="Width"/>.</summary>
    public double MlpRatio { get; init; } = 4.0;

    public Activation Activation { get; init; } = Activation.Gelu;

    public VisionPooling Pooling { get; init; } = VisionPooling.Cls;

    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Patch positions per side of the learned position-embedding grid.</summary>
    public int GridSize => ImageSize / PatchSize;

    /// <summary>Hidden width of each MLP.</summary>
    public long MlpHidden => (long)Math.Round(Width * MlpRatio);

    /// <summary>Throws naming the first option out of range (after <paramref name="prefix"/>, e.g. "Vision.").</summary>
    public void Validate(string prefix = "")
    {
        Require(ImageSize > 0, prefix + nameof(ImageSize), ImageSize, "> 0");
        Require(PatchSize > 0 && ImageSize % PatchSize == 0, prefix + nameof(PatchSize), PatchSize, $"> 0 and dividing ImageSize {ImageSize}");
        Require(Channels > 0, prefix + nameof(Channels), Channels, "> 0");
        Require(Width > 0, prefix + nameof(Width), Width, "> 0");
        Require(Layers > 0, prefix + nameof(Layers), Layers, "> 0");
        Require(Heads > 0 && Width % Heads == 0, prefix + nameof(Heads), Heads, $"> 0 and dividing Width {Width}");
        Require(MlpRatio > 0 && MlpHidden > 0, prefix + nameof(MlpRatio), MlpRatio, "> 0");
        Require(LayerNormEps > 0, prefix + nameof(LayerNormEps), LayerNormEps, "> 0");
    }

    internal static void Require(bool ok, string name, object value, string allowed)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} must be {allowed}, got {value}");
    }
}
