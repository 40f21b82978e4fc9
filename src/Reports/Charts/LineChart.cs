using System.Xml.Linq;
using static MLNetClip.Reports.Charts.Svg;

namespace MLNetClip.Reports.Charts;

/// <summary>A named line of (x, y) points; a non-finite y leaves a gap in the line.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// A line chart as SVG: a title, one line per series with a legend when there are several,
/// axes with round-numbered ticks (<see cref="AxisScale"/>), grid lines and axis labels.
/// Each series is a <c>&lt;g class="series" data-name="…"&gt;</c> holding one polyline per run of
/// finite points, so the picture can be read back.
/// </summary>
public sealed class LineChart
{
    private static readonly string[] Palette = ["#2563a8", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5c5f66", "#e67700"];

    private const double Left = 64, Right = 20, Bottom = 44, TitleHeight = 26, LegendRow = 18;

    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    public required IReadOnlyList<ChartSeries> Series { get; init; }

    public double Width { get; init; } = 520;

    public double Height { get; init; } = 300;

    /// <summary>Start the x axis at 0 (when every x is at least 0), as step counts read best.</summary>
    public bool XFromZero { get; init; }

    /// <summary>Points are marked with dots when a series has at most this many.</summary>
    public int MarkersUpTo { get; init; } = 40;

    /// <summary>The axes the data is drawn on, or null when no series holds a finite point.</summary>
    public (AxisScale X, AxisScale Y)? Scales()
    {
        var finite = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (finite.Count == 0) return null;
        var xLow = finite.Min(p => p.X);
        if (XFromZero && xLow >= 0) xLow = 0;
        return (AxisScale.Nice(xLow, finite.Max(p => p.X)), AxisScale.Nice(finite.Min(p => p.Y), finite.Max(p => p.Y)));
    }

    /// <summary>The plot area inside the margins: left, top, width, height.</summary>
    public (double X, double Y, double Width, double Height) PlotArea
    {
        get
        {
            var top = TitleHeight + (Series.Count > 1 ? LegendRow * LegendRows() : 0) + 8;
            return (Left, top, Width - Left - Right, Height - top - Bottom);
        }
    }

    public XElement ToSvg()
    {
        var root = Root(Width, Height, Rect(0, 0, Width, Height, "#ffffff"),
            Text(Width / 2, 18, Title, "middle", new XAttribute("font-size", "14"), new XAttribute("font-weight", "600")));
        if (Series.Count > 1) root.Add(Legend());
        if (Scales() is not { } scales)
        {
            root.Add(Text(Width / 2, Height / 2, "no finite values logged", "middle", new XAttribute("fill", "#868e96")));
            return root;
        }
        var (x, y) = scales;
        var (px, py, pw, ph) = PlotArea;
        root.Add(Grid(x, y, px, py, pw, ph));
        for (var i = 0; i < Series.Count; i++) root.Add(SeriesGroup(Series[i], Palette[i % Palette.Length], x, y));
        root.Add(Text(px + pw / 2, Height - 8, XLabel, "middle"));
        root.Add(Text(14, py + ph / 2, YLabel, "middle", new XAttribute("transform", $"rotate(-90 14 {N(py + ph / 2)})")));
        return root;
    }

    /// <summary>The pixel position of a data point.</summary>
    public (double X, double Y) ToPixels(double x, double y, AxisScale xs, AxisScale ys)
    {
        var (px, py, pw, ph) = PlotArea;
        return (px + xs.Fraction(x) * pw, py + ph - ys.Fraction(y) * ph);
    }

    private XElement Grid(AxisScale x, AxisScale y, double px, double py, double pw, double ph)
    {
        var g = Element("g", new XAttribute("class", "axes"));
        foreach (var t in y.Ticks)
        {
            var (_, ty) = ToPixels(x.Min, t, x, y);
            g.Add(Line(px, ty, px + pw, ty, "#e9ecef"));
            g.Add(Text(px - 6, ty + 4, y.Label(t), "end", new XAttribute("class", "y-tick")));
        }
        foreach (var t in x.Ticks)
        {
            var (tx, _) = ToPixels(t, y.Min, x, y);
            g.Add(Line(tx, py + ph, tx, py + ph + 4, "#495057"));
            g.Add(Text(tx, py + ph + 17, x.Label(t), "middle", new XAttribute("class", "x-tick")));
        }
        g.Add(Line(px, py + ph, px + pw, py + ph, "#495057"));
        g.Add(Line(px, py, px, py + ph, "#495057"));
        return g;
    }

    private XElement SeriesGroup(ChartSeries series, string colour, AxisScale x, AxisScale y)
    {
        var g = Element("g", new XAttribute("class", "series"), new XAttribute("data-name", series.Name));
        var run = new List<(double X, double Y)>();
        void Flush()
        {
            if (run.Count > 0)
                g.Add(Element("polyline", new XAttribute("points", string.Join(' ', run.Select(p => $"{N(p.X)},{N(p.Y)}"))),
                    new XAttribute("fill", "none"), new XAttribute("stroke", colour), A("stroke-width", 1.8),
                    new XAttribute("stroke-linejoin", "round")));
            run.Clear();
        }
        var finite = series.Points.Count(p => double.IsFinite(p.X) && double.IsFinite(p.Y));
        foreach (var (dx, dy) in series.Points)
        {
            if (!double.IsFinite(dx) || !double.IsFinite(dy))
            {
                Flush();
                continue;
            }
            var p = ToPixels(dx, dy, x, y);
            run.Add(p);
            if (finite <= MarkersUpTo) g.Add(Element("circle", A("cx", p.X), A("cy", p.Y), A("r", 2.6), new XAttribute("fill", colour)));
        }
        Flush();
        return g;
    }

    // Legend entries flow left to right and wrap; each is a short line in the series colour and its name.
    private XElement Legend()
    {
        var g = Element("g", new XAttribute("class", "legend"));
        var i = 0;
        foreach (var (ex, ey) in LegendPositions())
        {
            g.Add(Line(ex, ey - 4, ex + 16, ey - 4, Palette[i % Palette.Length], 2.5));
            g.Add(Text(ex + 20, ey, Series[i++].Name));
        }
        return g;
    }

    private IEnumerable<(double X, double Y)> LegendPositions()
    {
        double x = Left, y = TitleHeight + 12;
        foreach (var s in Series)
        {
            var width = 28 + 7 * s.Name.Length;  // a generous estimate of the label's width at 12 px
            if (x > Left && x + width > Width - Right)
            {
                x = Left;
                y += LegendRow;
            }
            yield return (x, y);
            x += width;
        }
    }

    private int LegendRows() => LegendPositions().Select(p => p.Y).Distinct().Count();
}
