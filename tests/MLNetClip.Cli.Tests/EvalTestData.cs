using System.Text;
using MLNetClip.Models;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Cli.Tests;

/// <summary>
/// A tiny CLIP with the full OpenAI vocabulary, saved in Hugging Face layout, and a small labelled
/// image–caption manifest. The shared transformers fixture has a 512-token text tower, which the
/// CLIP tokenizer's ids do not fit, so text-side commands are checked on this model instead.
/// </summary>
internal static class EvalTestData
{
    public static ClipOptions TinyOptions { get; } = new()
    {
        EmbedDim = 16,
        Vision = new() { ImageSize = 32, PatchSize = 8, Width = 32, Layers = 1, Heads = 2 },
        Text = new() { ContextLength = 16, Width = 32, Layers = 1, Heads = 2 },
    };

    /// <summary>Writes the tiny model to DIR with HuggingFaceClip.Save and returns DIR.</summary>
    public static string SaveTinyModel(string directory, ulong seed = 7)
    {
        Generator.ManualSeed(seed);
        using var model = new Clip(TinyOptions);
        HuggingFaceClip.Save(model, directory);
        return directory;
    }

    /// <summary>
    /// (image, caption, colour, split) rows: image 0 has two captions, images 3 and 4 share one caption,
    /// and colours repeat so each class has several images. Images are 40-px PNGs, resized on reading.
    /// </summary>
    public static readonly (int Image, string Caption, string Colour, string Split)[] Rows =
    [
        (0, "a red square", "red", "train"),
        (0, "a crimson block", "red", "train"),
        (1, "a green circle", "green", "train"),
        (2, "blue stripes", "blue", "train"),
        (3, "a yellow cross", "yellow", "test"),
        (4, "a yellow cross", "yellow", "test"),
        (5, "a red circle", "red", "test"),
        (6, "green stripes", "green", "train"),
        (7, "a blue square", "blue", "test"),
        (8, "a yellow circle", "yellow", "train"),
        (9, "a green cross", "green", "test"),
        (10, "a red cross", "red", "train"),
        (11, "a blue circle", "blue", "train"),
    ];

    public static string ImagePath(int image) => $"images/{image:D2}.png";

    /// <summary>Writes the PNGs and DIR/eval.tsv (filepath, title, colour, split).</summary>
    public static string WriteManifest(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "images"));
        var text = new StringBuilder("filepath\ttitle\tcolour\tsplit\n");
        foreach (var (image, caption, colour, split) in Rows)
        {
            var path = Path.Combine(directory, ImagePath(image));
            if (!File.Exists(path)) File.WriteAllBytes(path, TrainingTestData.Png(40, 40, Pixels(image, colour)));
            text.Append($"{ImagePath(image)}\t{caption}\t{colour}\t{split}\n");
        }
        var manifest = Path.Combine(directory, "eval.tsv");
        File.WriteAllText(manifest, text.ToString());
        return manifest;
    }

    /// <summary>The image's colour on noise fixed by its number, so every picture differs.</summary>
    private static byte[] Pixels(int image, string colour)
    {
        byte[] rgb = colour switch { "red" => [220, 30, 30], "green" => [30, 200, 40], "blue" => [30, 40, 220], _ => [230, 220, 30] };
        var random = new Random(image);
        var pixels = new byte[40 * 40 * 3];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)Math.Clamp(rgb[i % 3] + random.Next(-60, 61), 0, 255);
        return pixels;
    }
}
