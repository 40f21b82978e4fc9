using System.Globalization;
using System.Xml.Linq;
using MLNetClip.Reports.Charts;
using MLNetClip.Reports.Pictures;

namespace MLNetClip.Reports.Tests;

/// <summary>The SVG charts read back as XML: structure, point positions and colours against hand-worked layouts.</summary>
public class ChartTests
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    /// <summary>Serialises and parses again, as a browser would receive it.</summary>
    private static XElement RoundTrip(XElement svg) => XElement.Parse(Svg.Serialize(svg));

    private static List<(double X, double Y)> Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ')
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public void A_one_series_chart_places_each_point_by_hand_computed_pixels()
    {
        var chart = new LineChart
        {
            Title = "Loss", XLabel = "step", YLabel = "loss",
            Series = [new ChartSeries("loss", [(0, 1), (10, 3), (20, 2)])],
        };

        var svg = RoundTrip(chart.ToSvg());

        Assert.Equal(S + "svg", svg.Name);
        Assert.Equal(("520", "300"), (svg.Attribute("width")!.Value, svg.Attribute("height")!.Value));
        var series = svg.Descendants(S + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        Assert.Single(series);
        Assert.Equal("loss", (string?)series[0].Attribute("data-name"));
        // Plot area: left 64, top 26 (title) + 8 = 34, width 520 − 64 − 20 = 436, height 300 − 34 − 44 = 222.
        // x axis 0..20 (step 5), y axis 1..3 (step 0.5).
        var line = Assert.Single(series[0].Elements(S + "polyline"));
        Assert.Equal([(64, 256), (64 + 218, 34), (500, 34 + 111)], Points(line));
        Assert.Equal(3, series[0].Elements(S + "circle").Count());
        Assert.DoesNotContain(svg.Descendants(S + "g"), g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["1.0", "1.5", "2.0", "2.5", "3.0"], TickLabels(svg, "y-tick"));
        Assert.Equal(["0", "5", "10", "15", "20"], TickLabels(svg, "x-tick"));
        Assert.Contains(svg.Descendants(S + "text"), t => t.Value == "Loss");
        Assert.Contains(svg.Descendants(S + "text"), t => t.Value == "step");
    }

    [Fact]
    public void Several_series_get_a_legend_and_one_group_each_with_all_their_points()
    {
        var chart = new LineChart
        {
            Title = "Loss", XLabel = "step", YLabel = "loss", XFromZero = true,
            Series =
            [
                new ChartSeries("loss", [(10, 5.03), (20, 4.43), (30, 4.28)]),
                new ChartSeries("ContrastiveLoss", [(10, 4.24), (20, 3.95), (30, 3.84)]),
                new ChartSeries("DistillLoss", [(10, 0.41), (20, 0.28), (30, 0.25)]),
            ],
        };

        var svg = RoundTrip(chart.ToSvg());

        var series = svg.Descendants(S + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        Assert.Equal(["loss", "ContrastiveLoss", "DistillLoss"], series.Select(g => (string)g.Attribute("data-name")!));
        Assert.All(series, g => Assert.Equal(3, Points(Assert.Single(g.Elements(S + "polyline"))).Count));
        var legend = Assert.Single(svg.Descendants(S + "g"), g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["loss", "ContrastiveLoss", "DistillLoss"], legend.Elements(S + "text").Select(t => t.Value));
        // The x axis starts at 0 (XFromZero) and runs to 30 in tens; y covers 0.25..5.03: 0..6 in ones.
        Assert.Equal(["0", "10", "20", "30"], TickLabels(svg, "x-tick"));
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6"], TickLabels(svg, "y-tick"));
        // Different colours per series.
        Assert.Equal(3, series.Select(g => (string)g.Element(S + "polyline")!.Attribute("stroke")!).Distinct().Count());
    }

    [Fact]
    public void A_non_finite_value_splits_the_line_and_is_not_drawn()
    {
        var chart = new LineChart
        {
            Title = "gradient norm", XLabel = "step", YLabel = "norm",
            Series = [new ChartSeries("gradNorm", [(1, 2), (2, 3), (3, double.NaN), (4, 4), (5, 1), (6, 2)])],
        };

        var svg = RoundTrip(chart.ToSvg());

        var lines = svg.Descendants(S + "polyline").ToList();
        Assert.Equal([2, 3], lines.Select(l => Points(l).Count));
        Assert.Equal(5, svg.Descendants(S + "circle").Count());
        Assert.Equal(["1", "2", "3", "4"], TickLabels(svg, "y-tick"));  // NaN does not widen the axis
    }

    [Fact]
    public void A_chart_without_finite_values_says_so()
    {
        var chart = new LineChart { Title = "lr", XLabel = "step", YLabel = "lr", Series = [new ChartSeries("lr", [(1, double.NaN)])] };
        var svg = RoundTrip(chart.ToSvg());
        Assert.Empty(svg.Descendants(S + "polyline"));
        Assert.Contains(svg.Descendants(S + "text"), t => t.Value == "no finite values logged");
    }

    [Fact]
    public void Confusion_cells_carry_their_counts_and_row_share_colours()
    {
        long[,] counts = { { 3, 1, 0 }, { 0, 0, 0 }, { 2, 2, 4 } };

        var svg = RoundTrip(ConfusionMatrixChart.ToSvg(counts, ["cat", "dog", "fish & chips"]));

        var cells = svg.Descendants(S + "rect").Where(r => (string?)r.Attribute("class") == "cell").ToList();
        Assert.Equal(9, cells.Count);
        string Fill(int t, int p) => (string)cells.Single(c => (int)c.Attribute("data-truth")! == t && (int)c.Attribute("data-prediction")! == p).Attribute("fill")!;
        // Blues: white (0) → (158,196,228) (1/3) → (33,102,172) (2/3) → (8,40,100) (1), linear between.
        Assert.Equal("#ffffff", Fill(0, 2));                 // 0 of 4
        Assert.Equal("#b6d3eb", Fill(0, 1));                 // 1 of 4 = 0.25: (182, 211, 235)
        Assert.Equal("#1b579a", Fill(0, 0));                 // 3 of 4 = 0.75: (27, 87, 154)
        Assert.Equal("#ffffff", Fill(1, 1));                 // an empty row stays white
        Assert.Equal("#6095c8", Fill(2, 2));                 // 4 of 8 = 0.5: (96, 149, 200)
        Assert.Equal([3, 1, 0, 0, 0, 0, 2, 2, 4], cells.Select(c => (int)c.Attribute("data-count")!));
        var texts = svg.Descendants(S + "text").Select(t => t.Value).ToList();
        Assert.Equal(["1", "2", "2", "3", "4"], texts.Where(t => t.Length == 1 && char.IsDigit(t[0])).Order());
        Assert.Equal(2, texts.Count(t => t == "fish & chips"));  // row and column label, escaped in the file
    }

    [Fact]
    public void Blues_matches_the_hand_interpolated_anchors()
    {
        Assert.Equal(((byte)182, (byte)211, (byte)235), ColorMap.Blues.At(0.25));
        Assert.Equal(((byte)96, (byte)149, (byte)200), ColorMap.Blues.At(0.5));
        Assert.Equal(((byte)8, (byte)40, (byte)100), ColorMap.Blues.At(1.5));   // clamped
        Assert.Equal(((byte)255, (byte)255, (byte)255), ColorMap.Blues.At(double.NaN));
    }

    [Fact]
    public void A_confusion_matrix_needs_a_name_per_class()
    {
        Assert.Throws<ArgumentException>(() => ConfusionMatrixChart.ToSvg(new long[2, 2], ["one"]));
        Assert.Throws<ArgumentException>(() => ConfusionMatrixChart.ToSvg(new long[2, 3], ["a", "b"]));
    }

    private static List<string> TickLabels(XElement svg, string cssClass) =>
        svg.Descendants(S + "text").Where(t => (string?)t.Attribute("class") == cssClass).Select(t => t.Value).ToList();
}
