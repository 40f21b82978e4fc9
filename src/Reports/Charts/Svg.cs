using System.Globalization;
using System.Xml.Linq;

namespace MLNetClip.Reports.Charts;

/// <summary>
/// Small builders for SVG elements. Built as XML trees, so every chart is well-formed by
/// construction and text is escaped; sizes are in CSS pixels with two decimals at most.
/// </summary>
internal static class Svg
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    public const string Font = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif";

    /// <summary>The root element with its size stated, which an &lt;img&gt; needs to know its natural size.</summary>
    public static XElement Root(double width, double height, params object[] content) =>
        new(Ns + "svg",
            new XAttribute("width", N(width)), new XAttribute("height", N(height)),
            new XAttribute("viewBox", $"0 0 {N(width)} {N(height)}"),
            new XAttribute("font-family", Font), new XAttribute("font-size", "12"),
            content);

    public static XElement Element(string name, params object?[] content) => new(Ns + name, content);

    public static XElement Rect(double x, double y, double width, double height, string fill, params object[] more) =>
        Element("rect", A("x", x), A("y", y), A("width", width), A("height", height), new XAttribute("fill", fill), more);

    public static XElement Line(double x1, double y1, double x2, double y2, string stroke, double strokeWidth = 1) =>
        Element("line", A("x1", x1), A("y1", y1), A("x2", x2), A("y2", y2),
            new XAttribute("stroke", stroke), A("stroke-width", strokeWidth));

    /// <summary>A text label; <paramref name="anchor"/> is start, middle or end.</summary>
    public static XElement Text(double x, double y, string text, string anchor = "start", params object[] more) =>
        Element("text", A("x", x), A("y", y), new XAttribute("text-anchor", anchor), more, text);

    public static XAttribute A(string name, double value) => new(name, N(value));

    /// <summary>A number as SVG wants it: invariant culture, at most two decimals.</summary>
    public static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The document as compact text with an XML declaration-free root, ready for a file or a data: URI.</summary>
    public static string Serialize(XElement root) => root.ToString(SaveOptions.DisableFormatting);
}
