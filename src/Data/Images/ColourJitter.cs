namespace MLNetClip.Data.Images;

/// <summary>
/// The colour augmentation A-CLIP's released code gives its online views (`main.py`, after SLIP):
/// with probability 0.8 a colour jitter of brightness 0.4, contrast 0.4 and saturation 0.2 (each
/// factor uniform in [1 − x, 1 + x]), then greyscale with probability 0.2. Applied in that fixed
/// order (torchvision shuffles the three) and without the hue jitter (0.1), the blur (p = 0.1) and
/// the solarisation (p = 0.2) of the released code. Works on one normalised CHW view in place: pixels
/// are taken back to [0, 1], changed as torchvision's functional ops do, clamped, normalised again.
/// </summary>
public static class ColourJitter
{
    /// <summary>One view's draw: the three factors (1 = unchanged) and whether it goes grey.</summary>
    public readonly record struct Draw(double Brightness, double Contrast, double Saturation, bool Grey)
    {
        public static Draw None => new(1, 1, 1, false);
    }

    /// <summary>Draws one view's jitter from <paramref name="random"/> (always four numbers, so later draws do not shift).</summary>
    public static Draw Sample(Random random)
    {
        var apply = random.NextDouble() < 0.8;
        double b = Factor(random, 0.4), c = Factor(random, 0.4), s = Factor(random, 0.2);
        var grey = random.NextDouble() < 0.2;
        return apply ? new Draw(b, c, s, grey) : Draw.None with { Grey = grey };
    }

    /// <summary>Applies <paramref name="draw"/> to <paramref name="view"/>, 3 planes of <paramref name="pixels"/> values, normalised by <paramref name="normalization"/>.</summary>
    public static void Apply(Span<float> view, int pixels, ImageNormalization normalization, Draw draw)
    {
        if (draw == Draw.None) return;
        if (view.Length != 3 * pixels) throw new ArgumentException($"a view of {pixels} pixels has {3 * pixels} values, got {view.Length}", nameof(view));
        var rgb = new float[3 * pixels];
        for (var c = 0; c < 3; c++)
            for (var p = 0; p < pixels; p++)
                rgb[c * pixels + p] = view[c * pixels + p] * normalization.Std[c] + normalization.Mean[c];
        Blend(rgb, pixels, draw.Brightness, _ => 0f);                                       // brightness: towards black
        var mean = Enumerable.Range(0, pixels).Average(p => Grey(rgb, pixels, p));
        Blend(rgb, pixels, draw.Contrast, _ => (float)mean);                                // contrast: towards the mean grey
        Blend(rgb, pixels, draw.Saturation, p => Grey(rgb, pixels, p));                     // saturation: towards the pixel's grey
        for (var p = 0; p < pixels && draw.Grey; p++)
        {
            var g = Grey(rgb, pixels, p);
            rgb[p] = rgb[pixels + p] = rgb[2 * pixels + p] = g;
        }
        for (var c = 0; c < 3; c++)
            for (var p = 0; p < pixels; p++)
                view[c * pixels + p] = (rgb[c * pixels + p] - normalization.Mean[c]) / normalization.Std[c];
    }

    // torchvision's blend: factor·x + (1 − factor)·other, clamped to [0, 1].
    private static void Blend(float[] rgb, int pixels, double factor, Func<int, float> other)
    {
        if (factor == 1) return;
        var targets = Enumerable.Range(0, pixels).Select(other).ToArray();
        for (var c = 0; c < 3; c++)
            for (var p = 0; p < pixels; p++)
                rgb[c * pixels + p] = (float)Math.Clamp(factor * rgb[c * pixels + p] + (1 - factor) * targets[p], 0, 1);
    }

    // ITU-R 601 luma, as torchvision's rgb_to_grayscale.
    private static float Grey(float[] rgb, int pixels, int p) => 0.2989f * rgb[p] + 0.587f * rgb[pixels + p] + 0.114f * rgb[2 * pixels + p];

    private static double Factor(Random random, double spread) => 1 - spread + 2 * spread * random.NextDouble();
}
