namespace MLNetClip.Reports.Pictures;

/// <summary>
/// Colour ramps from a value in [0, 1] to RGB, linear between evenly spaced anchor colours.
/// <see cref="Heat"/> runs cold to hot (navy, blue, teal, amber, red) for maps drawn over pictures;
/// <see cref="Blues"/> runs white to dark blue for tables of counts, where darker means more.
/// </summary>
public sealed class ColorMap
{
    private readonly (byte R, byte G, byte B)[] _anchors;

    private ColorMap(params (byte R, byte G, byte B)[] anchors) => _anchors = anchors;

    public static ColorMap Heat { get; } = new((24, 28, 96), (40, 98, 200), (32, 178, 160), (246, 196, 48), (214, 40, 28));

    public static ColorMap Blues { get; } = new((255, 255, 255), (158, 196, 228), (33, 102, 172), (8, 40, 100));

    /// <summary>The colour at <paramref name="t"/>, clamped to [0, 1]; NaN maps to 0.</summary>
    public (byte R, byte G, byte B) At(double t)
    {
        t = double.IsNaN(t) ? 0 : Math.Clamp(t, 0, 1);
        var position = t * (_anchors.Length - 1);
        var i = Math.Min((int)position, _anchors.Length - 2);
        var f = position - i;
        var (a, b) = (_anchors[i], _anchors[i + 1]);
        return (Mix(a.R, b.R, f), Mix(a.G, b.G, f), Mix(a.B, b.B, f));
    }

    /// <summary>"#rrggbb" for SVG and HTML.</summary>
    public string Hex(double t)
    {
        var (r, g, b) = At(t);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    private static byte Mix(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f, MidpointRounding.AwayFromZero);
}
