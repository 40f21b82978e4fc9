using System.Text.Json;
using MLNetClip.Data.Images;
using MLNetClip.Data.Text;
using MLNetClip.Evaluation.Classification;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Probe;
using MLNetClip.Evaluation.Retrieval;
using MLNetClip.Evaluation.ZeroShot;
using MLNetClip.Models;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Cli.Tests;

/// <summary>
/// `mlnetclip eval` in-process: its --json numbers equal the same evaluation computed here from the
/// library's building blocks (preprocessing, towers, classifier builder, metrics), not through the
/// evaluation classes the command calls.
/// </summary>
public class EvalCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(["--verbose", .. args]);

    private static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static long[,] Confusion(JsonElement json)
    {
        var rows = json.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        var matrix = new long[rows.Length, rows.Length];
        for (var t = 0; t < rows.Length; t++)
            for (var p = 0; p < rows.Length; p++) matrix[t, p] = rows[t][p];
        return matrix;
    }

    /// <summary>Distinct images of some rows in first-seen order, preprocessed as evaluation does.</summary>
    private static Tensor Images(string folder, IEnumerable<int> images) =>
        ImagePreprocessor.Evaluation(32).Batch(images.Distinct().Select(i => Path.Combine(folder, EvalTestData.ImagePath(i))).ToList());

    [Fact]
    public void ZeroShotThroughTheCliEqualsTheLibrary()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var json = folder.File("zeroshot.json");
        var (exit, output, error) = Run("eval", "zeroshot", "--model", model, "--data", manifest, "--label-column", "colour",
            "--templates", "simple", "--batch-size", "3", "--threads", "1", "--json", json);
        Assert.True(exit == 0, output + error);

        var classes = new[] { "blue", "green", "red", "yellow" };
        var distinct = EvalTestData.Rows.DistinctBy(r => r.Image).ToList();
        var labels = distinct.Select(r => Array.IndexOf(classes, r.Colour)).ToList();
        ClassificationResult expected;
        using (var clip = HuggingFaceClip.Load(model))
        using (var scope = DisposeScope.Begin())
        using (var noGrad = GradMode.NoGrad())
        {
            clip.Eval();
            var embeddings = clip.EncodeImage(Images(folder.Path, distinct.Select(r => r.Image)));             // [12, 16]
            using var weights = ZeroShotClassifier.Build(clip, ClipTokenizer.Default, classes, PromptTemplates.Simple);
            expected = ClassificationMetrics.Compute(ZeroShotClassifier.Scores(embeddings, weights), labels);
        }

        var result = ReadJson(json);
        Assert.Equal("zeroshot", result.GetProperty("task").GetString());
        Assert.Equal(classes, result.GetProperty("class_names").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(12, result.GetProperty("samples").GetInt32());
        Assert.Equal(expected.Top1, result.GetProperty("top1").GetDouble());
        Assert.Equal(expected.Top5, result.GetProperty("top5").GetDouble());
        Assert.Equal(expected.BalancedAccuracy, result.GetProperty("balanced_accuracy").GetDouble());
        Assert.Equal(expected.Confusion, Confusion(result));
        Assert.Contains("balanced accuracy", output);
        Assert.Contains(EvalPrinter.Percent(expected.Top1), output);
    }

    [Fact]
    public void RetrievalThroughTheCliEqualsRanksComputedFromHandWrittenPositives()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var json = folder.File("retrieval.json");
        var (exit, output, error) = Run("eval", "retrieval", "--model", model, "--data", manifest, "--where", "split=train",
            "--batch-size", "2", "--threads", "1", "--json", json);
        Assert.True(exit == 0, output + error);

        // Train rows: image 0 has two captions; every other caption is its image's own.
        string[] texts = ["a red square", "a crimson block", "a green circle", "blue stripes", "green stripes", "a yellow circle", "a red cross", "a blue circle"];
        int[] images = [0, 1, 2, 6, 8, 10, 11];
        int[][] textsOfImage = [[0, 1], [2], [3], [4], [5], [6], [7]];
        int[][] imagesOfText = [[0], [0], [1], [2], [3], [4], [5], [6]];
        RankSummary imageToText, textToImage;
        using (var clip = HuggingFaceClip.Load(model))
        using (var scope = DisposeScope.Begin())
        using (var noGrad = GradMode.NoGrad())
        {
            clip.Eval();
            var image = clip.EncodeImage(Images(folder.Path, images), normalize: true);                          // [7, 16]
            var text = clip.EncodeText(ClipTokenizer.Default.Tokenize(texts, 16), normalize: true);             // [8, 16]
            imageToText = RankSummary.From(RetrievalRanks.Compute(image, text, textsOfImage));
            textToImage = RankSummary.From(RetrievalRanks.Compute(text, image, imagesOfText));
        }

        var result = ReadJson(json);
        Assert.Equal((7, 8, 8), (result.GetProperty("images").GetInt32(), result.GetProperty("texts").GetInt32(), result.GetProperty("pairs").GetInt32()));
        foreach (var (key, expected) in new[] { ("image_to_text", imageToText), ("text_to_image", textToImage) })
        {
            var direction = result.GetProperty(key);
            Assert.Equal(expected.Queries, direction.GetProperty("queries").GetInt32());
            Assert.Equal(expected.RecallAt1, direction.GetProperty("R@1").GetDouble());
            Assert.Equal(expected.RecallAt5, direction.GetProperty("R@5").GetDouble());
            Assert.Equal(expected.RecallAt10, direction.GetProperty("R@10").GetDouble());
            Assert.Equal(expected.MedianRank, direction.GetProperty("median_rank").GetDouble());
        }
        Assert.Contains("image → text", output);
    }

    [Fact]
    public void ASharedCaptionIsOneQueryWithTwoPositives()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var json = folder.File("retrieval.json");
        var (exit, output, error) = Run("eval", "retrieval", "--model", model, "--data", manifest, "--where", "split=test", "--threads", "1", "--json", json);
        Assert.True(exit == 0, output + error);

        // Test rows: images 3 and 4 share "a yellow cross": 5 images, 4 captions, 5 pairs.
        string[] texts = ["a yellow cross", "a red circle", "a blue square", "a green cross"];
        RankSummary textToImage;
        using (var clip = HuggingFaceClip.Load(model))
        using (var scope = DisposeScope.Begin())
        using (var noGrad = GradMode.NoGrad())
        {
            clip.Eval();
            var image = clip.EncodeImage(Images(folder.Path, [3, 4, 5, 7, 9]), normalize: true);
            var text = clip.EncodeText(ClipTokenizer.Default.Tokenize(texts, 16), normalize: true);
            textToImage = RankSummary.From(RetrievalRanks.Compute(text, image, [[0, 1], [2], [3], [4]]));
        }
        var result = ReadJson(json);
        Assert.Equal((5, 4, 5), (result.GetProperty("images").GetInt32(), result.GetProperty("texts").GetInt32(), result.GetProperty("pairs").GetInt32()));
        var t2i = result.GetProperty("text_to_image");
        Assert.Equal(4, t2i.GetProperty("queries").GetInt32());
        Assert.Equal(textToImage.RecallAt1, t2i.GetProperty("R@1").GetDouble());
        Assert.Equal(textToImage.MedianRank, t2i.GetProperty("median_rank").GetDouble());
    }

    [Fact]
    public void AProbeOnTheTransformersFixtureThroughTheCliEqualsTheLibrary()
    {
        using var folder = new TempFolder();
        var fixture = SharedPaths.Fixture("hf_clip_tiny_a");
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var json = folder.File("probe.json");
        var (exit, output, error) = Run("eval", "probe", "--model", fixture, "--data", manifest, "--label-column", "colour",
            "--train-where", "split=train", "--test-where", "split=test", "--l2", "0.01", "--pixel-size", "8", "--threads", "1", "--json", json);
        Assert.True(exit == 0, output + error);

        var classes = new[] { "blue", "green", "red", "yellow" };
        List<(int Image, string Colour)> Part(string split) =>
            EvalTestData.Rows.Where(r => r.Split == split).DistinctBy(r => r.Image).Select(r => (r.Image, r.Colour)).ToList();
        var (train, test) = (Part("train"), Part("test"));
        int[] Labels(List<(int Image, string Colour)> part) => part.Select(p => Array.IndexOf(classes, p.Colour)).ToArray();
        ClassificationResult features, pixels;
        using (var evaluationModel = EvaluationModel.Load(fixture, Device.Cpu))
        using (var scope = DisposeScope.Begin())
        using (var noGrad = GradMode.NoGrad())
        {
            Tensor Tokens(List<(int Image, string Colour)> part) => ClipEmbedder.Features(evaluationModel.Clip, Images(folder.Path, part.Select(p => p.Image)), ImageFeature.ClassToken);
            using (var probe = LinearProbe.Train(Tokens(train), Labels(train), 4, new LinearProbeOptions { L2 = 0.01 }))
                features = probe.Evaluate(Tokens(test), Labels(test));
            Tensor Pixels(List<(int Image, string Colour)> part) =>
                ImagePreprocessor.Evaluation(8).Batch(part.Select(p => Path.Combine(folder.Path, EvalTestData.ImagePath(p.Image))).ToList()).Flatten(1);
            using (var probe = LinearProbe.Train(Pixels(train), Labels(train), 4, new LinearProbeOptions { L2 = 0.01 }))
                pixels = probe.Evaluate(Pixels(test), Labels(test));
        }

        var result = ReadJson(json);
        Assert.Equal((train.Count, test.Count), (result.GetProperty("train_images").GetInt32(), result.GetProperty("test_images").GetInt32()));
        Assert.Equal("cls", result.GetProperty("feature").GetString());
        Assert.Equal(features.Top1, result.GetProperty("top1").GetDouble());
        Assert.Equal(features.Confusion, Confusion(result));
        Assert.Equal(pixels.Top1, result.GetProperty("pixel_top1").GetDouble());
        Assert.Contains("raw pixels 8x8x3", output);
    }

    private static void AssertOneLine(int exit, string error, int expectedExit, params string[] parts)
    {
        Assert.Equal(expectedExit, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, error);
        Assert.StartsWith(CliErrors.Prefix, lines[0]);
        foreach (var p in parts) Assert.Contains(p, lines[0]);
    }

    [Fact]
    public void BadInputEndsWithOneLineNamingTheColumnOrFile()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);

        var (exit, _, error) = CliRunner.Run("eval", "zeroshot", "--model", model, "--data", manifest, "--label-column", "shape");
        AssertOneLine(exit, error, ExitCodes.BadInput, "no label column 'shape'", manifest, "'colour'");

        (exit, _, error) = CliRunner.Run("eval", "retrieval", "--model", folder.File("no-such-model"), "--data", manifest);
        AssertOneLine(exit, error, ExitCodes.BadInput, folder.File("no-such-model"));

        var headerOnly = folder.File("empty.tsv");
        File.WriteAllText(headerOnly, "filepath\ttitle\n");
        (exit, _, error) = CliRunner.Run("eval", "retrieval", "--model", model, "--data", headerOnly);
        AssertOneLine(exit, error, ExitCodes.BadInput, headerOnly, "no rows");

        (exit, _, error) = CliRunner.Run("eval", "retrieval", "--model", model, "--data", folder.File("absent.tsv"));
        AssertOneLine(exit, error, ExitCodes.BadInput, folder.File("absent.tsv"));

        File.Delete(Path.Combine(folder.Path, EvalTestData.ImagePath(5)));
        (exit, _, error) = CliRunner.Run("eval", "zeroshot", "--model", model, "--data", manifest, "--label-column", "colour", "--templates", "simple");
        AssertOneLine(exit, error, ExitCodes.BadInput, EvalTestData.ImagePath(5));
    }

    [Fact]
    public void TextCommandsOnTheFixtureSayItsVocabularyDoesNotFitAndProbeOptionsAreChecked()
    {
        using var folder = new TempFolder();
        var fixture = SharedPaths.Fixture("hf_clip_tiny_a");
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var (exit, _, error) = CliRunner.Run("eval", "zeroshot", "--model", fixture, "--data", manifest, "--label-column", "colour");
        AssertOneLine(exit, error, ExitCodes.BadInput, fixture, "512 token ids");

        (exit, _, error) = CliRunner.Run("eval", "probe", "--model", fixture, "--data", manifest, "--label-column", "colour");
        AssertOneLine(exit, error, ExitCodes.Usage, "--train-where");

        (exit, _, error) = CliRunner.Run("eval", "probe", "--model", fixture, "--data", manifest, "--label-column", "colour",
            "--train-where", "split=train", "--test-where", "split=test", "--l2", "lots");
        AssertOneLine(exit, error, ExitCodes.Usage, "--l2 'lots'");
    }
}
