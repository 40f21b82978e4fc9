using System.CommandLine;
using System.Globalization;
using MLNetClip.Models;
using MLNetClip.Reports.Heatmaps;
using MLNetClip.Reports.Pictures;
using MLNetClip.Reports.Png;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip heatmap --model DIR --image FILE --text "…" --out FILE.png`: where in the image
/// the caption is, as the model sees it: the cosine between the caption's embedding and each
/// projected patch token, drawn as a colour map over the image (see <see cref="TextPatchSimilarity"/>).
/// </summary>
internal static class HeatmapCommand
{
    public static Command Create()
    {
        var model = new Option<DirectoryInfo>("--model") { Description = "a CLIP model folder (a run's model/, or a Hugging Face CLIPModel)", Required = true };
        var image = new Option<FileInfo>("--image") { Description = "a PNG or JPEG image", Required = true };
        var text = new Option<string>("--text") { Description = "the caption to look for", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "the PNG to write", Required = true };
        var size = new Option<int>("--size") { Description = "side of the picture in pixels", DefaultValueFactory = _ => 448 };
        var opacity = new Option<double>("--opacity") { Description = "how strongly the colour map covers the image, 0 to 1", DefaultValueFactory = _ => 0.55 };
        var command = new Command("heatmap", "Draw a caption's text→patch similarity over an image") { model, image, text, output, size, opacity };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(image)!, parse.GetValue(text)!, parse.GetValue(output)!,
            parse.GetValue(size), parse.GetValue(opacity)));
        return command;
    }

    private static int Run(DirectoryInfo modelDir, FileInfo imageFile, string text, FileInfo output, int size, double opacity)
    {
        if (size is < 16 or > 4096) throw new ArgumentOutOfRangeException(nameof(size), size, $"--size must be 16 to 4096 pixels; got {size}");
        if (!(opacity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, $"--opacity must be 0 to 1; got {opacity}");
        if (!imageFile.Exists) throw new FileNotFoundException($"--image '{imageFile.FullName}' does not exist", imageFile.FullName);
        using var clip = HuggingFaceClip.Load(modelDir.FullName);
        using var example = ExampleImage.Load(imageFile.FullName, clip.Options.Vision.ImageSize, size);
        var map = TextPatchSimilarity.Maps(clip, example.Input, [text])[0];
        output.Directory?.Create();
        File.WriteAllBytes(output.FullName, PngEncoder.Encode(HeatmapPicture.Overlay(example.Picture, map, opacity)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"heatmap {output.FullName}: cos {map.Min:0.000} (navy) to {map.Max:0.000} (red) over {map.Rows}x{map.Cols} patches"));
        return ExitCodes.Ok;
    }
}
