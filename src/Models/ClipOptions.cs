namespace MLNetClip.Models;

/// <summary>A whole CLIP model: both towers and the shared embedding space. See <see cref="ClipPresets"/>.</summary>
public sealed record ClipOptions
{
    /// <summary>Width of the joint image–text embedding both towers project to.</summary>
    public int EmbedDim { get; init; } = 512;

    public VisionTowerOptions Vision { get; init; } = new();

    public TextTowerOptions Text { get; init; } = new();

    /// <summary>Initial log of the logit scale; ln(1/0.07) as in CLIP.</summary>
    public double LogitScaleInit { get; init; } = Math.Log(1 / 0.07);

    /// <summary>Throws naming the first option out of range, prefixed by its tower.</summary>
    public void Validate()
    {
        VisionTowerOptions.Require(EmbedDim > 0, nameof(EmbedDim), EmbedDim, "> 0");
        Vision.Validate("Vision.");
        Text.Validate("Text.");
    }
}
