using MLNetClip.Data.Images;
using MLNetClip.Models;
using MLNetClip.Reports.Heatmaps;
using MLNetClip.Reports.Pictures;

namespace MLNetClip.Reports.Tests;

/// <summary>`mlnetclip heatmap` on the model of a real run: the same picture as the library draws, and clear errors.</summary>
public class HeatmapCommandTests(ReportRun run) : IClassFixture<ReportRun>
{
    private string Model => Path.Combine(run.RunFolder, "model");

    private string AnImage => Path.Combine(Path.GetDirectoryName(run.Manifest)!, "images", "0001.png");

    [Fact]
    public void The_command_writes_the_library_s_overlay_as_a_png()
    {
        var output = run.Temp("heat/map.png");
        const string caption = "a picture of a green square";

        var (exit, stdout, stderr) = Cli.Run("heatmap", "--model", Model, "--image", AnImage, "--text", caption, "--out", output, "--size", "96");

        Assert.True(exit == 0, stdout + stderr);
        Assert.Matches(@"^heatmap .*map\.png: cos -?\d\.\d{3} \(navy\) to -?\d\.\d{3} \(red\) over 4x4 patches\n$", stdout);
        var written = ImageDecoder.Decode(output);
        Assert.Equal((96, 96, 3), (written.Width, written.Height, written.Channels));
        using var model = HuggingFaceClip.Load(Model);
        using var example = ExampleImage.Load(AnImage, modelSize: 32, displaySize: 96);
        var expected = HeatmapPicture.Overlay(example.Picture, TextPatchSimilarity.Maps(model, example.Input, [caption])[0]);
        Assert.Equal(expected.Pixels, written.Pixels);
    }

    [Fact]
    public void A_missing_image_is_one_line_naming_it()
    {
        var (exit, _, error) = Cli.Run("heatmap", "--model", Model, "--image", run.Temp("nope.png"), "--text", "x", "--out", run.Temp("o.png"));
        Assert.Equal(3, exit);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("nope.png", error);
    }

    [Fact]
    public void An_opacity_outside_0_to_1_is_refused()
    {
        var (exit, _, error) = Cli.Run("heatmap", "--model", Model, "--image", AnImage, "--text", "x", "--out", run.Temp("o.png"), "--opacity", "2");
        Assert.Equal(2, exit);
        Assert.Contains("--opacity must be 0 to 1", error);
    }
}
