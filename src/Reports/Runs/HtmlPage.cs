using System.Net;
using System.Text;
using System.Xml.Linq;

namespace MLNetClip.Reports.Runs;

/// <summary>
/// A self-contained HTML page built section by section: all text is escaped, styles are inline,
/// and pictures are data: URIs (PNG) or inline-encoded SVG, so the file opens anywhere with
/// nothing fetched.
/// </summary>
internal sealed class HtmlPage
{
    private readonly StringBuilder _body = new();
    private readonly string _title;

    public HtmlPage(string title) => _title = title;

    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    public static string PngUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    public static string SvgUri(XElement svg) =>
        "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(Charts.Svg.Serialize(svg)));

    public HtmlPage Heading(string text, int level = 2)
    {
        _body.Append($"<h{level}>{Escape(text)}</h{level}>\n");
        return this;
    }

    public HtmlPage Paragraph(string text, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<p>" : $"<p class=\"{cssClass}\">").Append(Escape(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A table of text cells; <paramref name="numeric"/> right-aligns every column but the first.</summary>
    public HtmlPage Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, bool numeric = false)
    {
        _body.Append(numeric ? "<table class=\"numeric\">" : "<table>").Append("<thead><tr>");
        foreach (var h in header) _body.Append($"<th>{Escape(h)}</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row) _body.Append($"<td>{Escape(cell)}</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>A picture with a caption; <paramref name="uri"/> is a data: URI from <see cref="PngUri"/> or <see cref="SvgUri"/>.</summary>
    public static string Figure(string uri, string alt, string? caption = null, string? title = null)
    {
        var titleAttribute = title is null ? "" : $" title=\"{Escape(title)}\"";
        var figcaption = caption is null ? "" : $"<figcaption>{Escape(caption)}</figcaption>";
        return $"<figure><img src=\"{uri}\" alt=\"{Escape(alt)}\"{titleAttribute}>{figcaption}</figure>";
    }

    /// <summary>Figures side by side, wrapping.</summary>
    public HtmlPage Gallery(IEnumerable<string> figures)
    {
        _body.Append("<div class=\"gallery\">").AppendJoin("", figures).Append("</div>\n");
        return this;
    }

    /// <summary>Rows of figures under column headings.</summary>
    public HtmlPage FigureGrid(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table class=\"figures\"><thead><tr>");
        foreach (var h in header) _body.Append($"<th>{Escape(h)}</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows) _body.Append("<tr>").AppendJoin("", row.Select(f => $"<td>{f}</td>")).Append("</tr>\n");
        _body.Append("</tbody></table>\n");
        return this;
    }

    public string ToHtml() =>
        $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Escape(_title)}</title>
        <style>{Style}</style>
        </head>
        <body>
        <main>
        <h1>{Escape(_title)}</h1>
        {_body}</main>
        </body>
        </html>

        """;

    private const string Style = """
        body { font-family: system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif; color: #212529; background: #f8f9fa; margin: 0; }
        main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 48px; }
        h1 { font-size: 24px; margin: 12px 0 4px; }
        h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 20px 0 6px; }
        p { margin: 6px 0; line-height: 1.45; }
        p.note { color: #6c757d; font-size: 13px; }
        table { border-collapse: collapse; font-size: 13px; background: #fff; }
        th, td { border: 1px solid #dee2e6; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f1f3f5; font-weight: 600; }
        table.numeric td + td { text-align: right; font-variant-numeric: tabular-nums; }
        table.figures td { padding: 6px; background: #fff; }
        table.figures th { max-width: 180px; }
        .columns { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
        .gallery { display: flex; flex-wrap: wrap; gap: 12px; }
        figure { margin: 0; }
        figure img { display: block; border: 1px solid #dee2e6; background: #fff; }
        figcaption { font-size: 12px; color: #495057; max-width: 190px; margin-top: 3px; line-height: 1.3; }
        .gallery figcaption { max-width: none; }
        """;
}
