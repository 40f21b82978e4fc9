using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MLNetClip.Reports.Tests;

/// <summary>`mlnetclip report` on a real run: every part present, nothing fetched, and every picture loads in a real browser.</summary>
public partial class ReportTests(ReportRun run) : IClassFixture<ReportRun>
{
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";

    // The charts of a maskclip run, then 6 example rows of pictures (image, one mask per masking strategy, attention, two captions), then one confusion matrix.
    private static readonly string[] Charts = ["Loss", "Learning rate", "Logit scale", "Throughput", "Gradient norm", "Peak memory", "EmaMomentum"];
    private const int ExampleRows = 6;
    private static readonly int PicturesPerRow = 4 + MLNetClip.Pretraining.Masking.MaskingStrategies.Names.Count;

    [GeneratedRegex("<img src=\"(?<src>[^\"]*)\" alt=\"(?<alt>[^\"]*)\"")]
    private static partial Regex Image();

    private string Report(params string[] more)
    {
        var output = run.Temp($"report-{Guid.NewGuid():N}.html");
        var (exit, stdout, stderr) = Cli.Run(["report", run.RunFolder, "--out", output, .. more]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains($"report {output}", stdout);
        return File.ReadAllText(output);
    }

    [Fact]
    public void The_report_inlines_every_picture_and_references_nothing_outside()
    {
        var html = Report();

        var images = Image().Matches(html).ToList();
        Assert.Equal(Charts.Length + ExampleRows * PicturesPerRow + 1, images.Count);
        Assert.All(images, m => Assert.Matches("^data:image/(png|svg\\+xml);base64,[A-Za-z0-9+/=]+$", m.Groups["src"].Value));
        Assert.Equal(Charts, images.Take(Charts.Length).Select(m => m.Groups["alt"].Value));
        Assert.DoesNotMatch("(src|href)\\s*=\\s*\"(?!data:)", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("<script", html);
        foreach (var heading in new[] { "Training curves", "What the model sees", "Evaluation", "Configuration" })
            Assert.Contains($"<h2>{heading}</h2>", html);
        Assert.Contains("<td>options.method</td><td>maskclip</td>", html);
        Assert.Matches("<td>balanced_accuracy</td><td>[0-9.]+</td>", html);
    }

    [Fact]
    public void The_loss_chart_shows_the_total_and_every_term_at_each_logged_step()
    {
        var html = Report("--examples", "0");

        var loss = Svg(Image().Matches(html).First(m => m.Groups["alt"].Value == "Loss").Groups["src"].Value);
        var series = loss.Descendants(S + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        // The method's terms as the run logged them (maskclip: the contrastive loss and its distillation terms).
        using var first = System.Text.Json.JsonDocument.Parse(File.ReadLines(Path.Combine(run.RunFolder, "metrics.jsonl")).First());
        var terms = first.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n.EndsWith("Loss", StringComparison.Ordinal)).ToList();
        Assert.Contains("ContrastiveLoss", terms);
        Assert.True(terms.Count >= 3, string.Join(", ", terms));
        Assert.Equal(["loss", .. terms], series.Select(g => (string)g.Attribute("data-name")!));
        // Steps 2 and 4 were logged.
        Assert.All(series, g => Assert.Equal(2, g.Element(S + "polyline")!.Attribute("points")!.Value.Split(' ').Length));
        Assert.DoesNotContain("What the model sees", html);
    }

    [Fact]
    public void The_confusion_matrix_from_eval_json_is_drawn_with_its_class_names()
    {
        var html = Report("--examples", "0");

        var matrix = Svg(Image().Matches(html).Single(m => m.Groups["alt"].Value == "confusion").Groups["src"].Value);
        using var eval = System.Text.Json.JsonDocument.Parse(File.ReadAllText(run.EvalJson));
        var counts = eval.RootElement.GetProperty("confusion").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(c => c.GetInt32()).ToList();
        Assert.Equal(16, counts.Sum());  // every row of the manifest, 4 "test" and 12 "train"
        Assert.Equal(counts,
            matrix.Descendants(S + "rect").Where(r => (string?)r.Attribute("class") == "cell").Select(r => (int)r.Attribute("data-count")!));
        Assert.Equal(2, matrix.Descendants(S + "text").Count(t => t.Value == "train"));  // a row and a column label
        Assert.Contains("<td>task</td><td>zeroshot</td>", html);
    }

    [ChromiumFact]
    public void Every_picture_loads_in_a_real_browser()
    {
        var html = Report();

        var images = Chromium.LoadImages(html);

        Assert.Equal(Charts.Length + ExampleRows * PicturesPerRow + 1, images.Count);
        Assert.All(images, i => Assert.True(i.Complete && i.NaturalWidth > 0 && i.NaturalHeight > 0, $"'{i.Alt}' did not load: {i}"));
        Assert.All(images.Take(Charts.Length), i => Assert.Equal((520, 300), (i.NaturalWidth, i.NaturalHeight)));
        Assert.All(images.Where(i => i.Alt == "example image"), i => Assert.Equal((176, 176), (i.NaturalWidth, i.NaturalHeight)));
    }

    [ChromiumFact]
    public void The_browser_check_does_catch_a_picture_that_does_not_load()
    {
        // The control for the test above: a PNG whose signature is spoilt and a malformed SVG among good pictures.
        var html = Report("--examples", "1");
        var png = Image().Matches(html).First(m => m.Groups["alt"].Value == "example image").Groups["src"].Value;
        const string signature = "data:image/png;base64,iVBORw0KGgo";  // the 8 signature bytes, base64
        Assert.StartsWith(signature, png);
        var broken = html.Replace(png, "data:image/png;base64,AAAAAAAAAAA" + png[signature.Length..])
            .Replace("</main>", $"<img src=\"data:image/svg+xml;base64,{Convert.ToBase64String(Encoding.UTF8.GetBytes("<svg width='5'"))}\" alt=\"bad svg\"></main>");

        var images = Chromium.LoadImages(broken);

        Assert.Equal(["example image", "bad svg"], images.Where(i => i.NaturalWidth == 0).Select(i => i.Alt));
    }

    [Fact]
    public void Building_the_report_frees_every_tensor()
    {
        var baseline = MLNetClip.Torch.Tensor.LiveCount;
        var (html, notes) = MLNetClip.Reports.Runs.RunReport.Build(run.RunFolder, new() { Examples = 2 });
        Assert.Equal(baseline, MLNetClip.Torch.Tensor.LiveCount);
        Assert.Empty(notes);
        Assert.Equal(Charts.Length + 2 * PicturesPerRow + 1, Image().Matches(html).Count);
    }

    [Fact]
    public void A_folder_without_a_run_is_one_line_naming_config_json()
    {
        var (exit, _, error) = Cli.Run("report", run.Temp("nothing-here"));
        Assert.Equal(3, exit);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no config.json", error);
    }

    [Fact]
    public void A_run_without_model_or_metrics_yet_still_gets_a_page_that_says_so()
    {
        var young = run.Temp($"young-{Guid.NewGuid():N}");
        Directory.CreateDirectory(young);
        File.Copy(Path.Combine(run.RunFolder, "config.json"), Path.Combine(young, "config.json"));
        var output = Path.Combine(young, "report.html");

        var (exit, stdout, stderr) = Cli.Run("report", young);

        Assert.True(exit == 0, stdout + stderr);
        var html = File.ReadAllText(output);
        Assert.Contains("No metrics.jsonl yet", html);
        Assert.Contains("No model/ yet", html);
        Assert.Contains("No eval*.json", html);
    }

    [Fact]
    public void Out_of_range_options_are_refused()
    {
        var (exit, _, error) = Cli.Run("report", run.RunFolder, "--examples", "100", "--out", run.Temp("x.html"));
        Assert.Equal(2, exit);
        Assert.Contains("examples must be 0 to 64", error);
    }

    private static XElement Svg(string dataUri) =>
        XElement.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(dataUri[(dataUri.IndexOf(',') + 1)..])));
}
