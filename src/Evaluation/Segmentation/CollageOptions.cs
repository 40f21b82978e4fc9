namespace MLNetClip.Evaluation.Segmentation;

/// <summary>How collages are laid out. Validated by <see cref="CollageBuilder"/>.</summary>
public sealed class CollageOptions
{
    /// <summary>Side of the square canvas in pixels, 8 to 4096.</summary>
    public int CanvasSize { get; init; } = 64;

    /// <summary>Pictures pasted on each canvas, 1 to 64.</summary>
    public int PerCanvas { get; init; } = 4;

    /// <summary>Smallest picture side as a share of the canvas side, in (0, 1].</summary>
    public double MinScale { get; init; } = 0.25;

    /// <summary>Largest picture side as a share of the canvas side, in [MinScale, 1].</summary>
    public double MaxScale { get; init; } = 0.5;

    /// <summary>Canvas colour behind the pictures, 0xRRGGBB; white, the colour the emoji are composited on for training.</summary>
    public int Background { get; init; } = 0xFFFFFF;

    /// <summary>The label of pixels no picture covers.</summary>
    public int BackgroundLabel { get; init; }

    /// <summary>Canvas i is drawn from a generator seeded by (Seed, i) alone.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if (CanvasSize is < 8 or > 4096) throw new ArgumentOutOfRangeException(nameof(CanvasSize), CanvasSize, "the canvas size must be 8 to 4096 pixels");
        if (PerCanvas is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(PerCanvas), PerCanvas, "pictures per canvas must be 1 to 64");
        if (!(MinScale > 0 && MinScale <= MaxScale && MaxScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinScale), $"scales must satisfy 0 < MinScale ({MinScale}) <= MaxScale ({MaxScale}) <= 1");
        if (Background is < 0 or > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(Background), Background, "the background must be 0xRRGGBB");
    }
}
