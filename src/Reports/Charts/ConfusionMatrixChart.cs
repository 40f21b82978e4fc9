using System.Xml.Linq;
using MLNetClip.Evaluation.Classification;
using MLNetClip.Reports.Pictures;
using static MLNetClip.Reports.Charts.Svg;

namespace MLNetClip.Reports.Charts;

/// <summary>
/// A confusion matrix as an SVG heatmap: rows are the true classes, columns the predicted ones.
/// A cell's shade is its share of the row (so the diagonal reads as each class's recall, whatever
/// the class sizes), on <see cref="ColorMap.Blues"/>; counts are printed while cells are big enough.
/// Each cell is a <c>&lt;rect class="cell" data-truth data-prediction data-count&gt;</c>.
/// </summary>
public static class ConfusionMatrixChart
{
    private const double Top = 34, Right = 16, Bottom = 34;

    /// <summary>Cells are drawn with their count printed up to this many classes.</summary>
    public const int CountsUpTo = 20;

    public static XElement ToSvg(ClassificationResult result, IReadOnlyList<string> classNames, string title = "Confusion matrix") =>
        ToSvg(result.Confusion, classNames, title);

    /// <summary><paramref name="counts"/> is [truth, prediction], classes × classes, labelled by <paramref name="classNames"/>.</summary>
    public static XElement ToSvg(long[,] counts, IReadOnlyList<string> classNames, string title = "Confusion matrix")
    {
        ArgumentNullException.ThrowIfNull(counts);
        var classes = counts.GetLength(0);
        if (classes == 0 || counts.GetLength(1) != classes)
            throw new ArgumentException($"a confusion matrix is square and not empty; got {counts.GetLength(0)} x {counts.GetLength(1)}", nameof(counts));
        if (classNames.Count != classes)
            throw new ArgumentException($"{classNames.Count} class names for {classes} classes", nameof(classNames));

        var cell = Math.Clamp(560.0 / classes, 6, 44);
        var label = Math.Min(160, 12 + 6.5 * classNames.Max(n => n.Length));
        double left = label + 22, top = Top + label;
        double width = left + classes * cell + Right, height = top + classes * cell + Bottom;
        var root = Root(width, height, Rect(0, 0, width, height, "#ffffff"),
            Text(width / 2, 18, title, "middle", new XAttribute("font-size", "14"), new XAttribute("font-weight", "600")));

        var labelSize = Math.Min(12, cell * 0.8);
        for (var c = 0; c < classes; c++)
        {
            var name = Shorten(classNames[c], label);
            root.Add(Text(left - 6, top + (c + 0.5) * cell + labelSize / 3, name, "end", A("font-size", labelSize)));
            double cx = left + (c + 0.5) * cell + labelSize / 3, cy = top - 6;
            root.Add(Text(cx, cy, name, "start", A("font-size", labelSize), new XAttribute("transform", $"rotate(-90 {N(cx)} {N(cy)})")));
        }
        root.Add(Text(left + classes * cell / 2, height - 10, "predicted class", "middle"));
        root.Add(Text(12, top + classes * cell / 2, "true class", "middle",
            new XAttribute("transform", $"rotate(-90 12 {N(top + classes * cell / 2)})")));

        for (var t = 0; t < classes; t++)
        {
            long rowTotal = 0;
            for (var p = 0; p < classes; p++) rowTotal += counts[t, p];
            for (var p = 0; p < classes; p++)
            {
                var share = rowTotal > 0 ? counts[t, p] / (double)rowTotal : 0;
                double x = left + p * cell, y = top + t * cell;
                root.Add(Rect(x, y, cell, cell, ColorMap.Blues.Hex(share),
                    new XAttribute("class", "cell"), new XAttribute("data-truth", t), new XAttribute("data-prediction", p),
                    new XAttribute("data-count", counts[t, p]), new XAttribute("stroke", "#f1f3f5"), A("stroke-width", 0.5)));
                if (classes <= CountsUpTo && counts[t, p] > 0)
                    root.Add(Text(x + cell / 2, y + cell / 2 + 4, counts[t, p].ToString(), "middle",
                        new XAttribute("fill", share > 0.55 ? "#ffffff" : "#212529"), A("font-size", Math.Min(12, cell * 0.4))));
            }
        }
        return root;
    }

    // Long names are cut to what fits the label column, with an ellipsis.
    private static string Shorten(string name, double room)
    {
        var fits = (int)((room - 12) / 6.5);
        return name.Length <= fits ? name : name[..Math.Max(1, fits - 1)] + "…";
    }
}
