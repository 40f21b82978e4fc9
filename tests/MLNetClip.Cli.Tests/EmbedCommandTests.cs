using System.Globalization;
using System.Text.Json;
using MLNetClip.Data.Images;
using MLNetClip.Data.Text;
using MLNetClip.Evaluation.Output;
using MLNetClip.Evaluation.Tests;
using MLNetClip.Models;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Cli.Tests;

/// <summary>`mlnetclip embed`: the files hold, row for row, what the towers compute for the data's rows.</summary>
public class EmbedCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(["--verbose", .. args]);

    /// <summary>Row i: the image embedding of manifest row i, computed one image at a time.</summary>
    private static float[][] ExpectedImageRows(string model, string folder)
    {
        using var clip = HuggingFaceClip.Load(model);
        clip.Eval();
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var preprocessor = ImagePreprocessor.Evaluation(32);
        return EvalTestData.Rows.Select(r =>
            clip.EncodeImage(preprocessor.Batch([Path.Combine(folder, EvalTestData.ImagePath(r.Image))])).ToArray<float>()).ToArray();
    }

    private static void AssertRows(float[][] expected, float[] actual, double tolerance)
    {
        var width = expected[0].Length;
        Assert.Equal(expected.Length * width, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            for (var k = 0; k < width; k++)
                Assert.True(Math.Abs(expected[i][k] - actual[i * width + k]) <= tolerance, $"row {i} dim {k}: {expected[i][k]} vs {actual[i * width + k]}");
    }

    [TorchFact]
    public void ImageEmbeddingsWrittenAsNpyAreReadBackByNumPyRowForRow()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var output = folder.File("images.npy");
        var (exit, stdout, error) = Run("embed", "--model", model, "--data", manifest, "--out", output, "--batch-size", "5", "--threads", "1");
        Assert.True(exit == 0, stdout + error);
        Assert.Contains("[13, 16]", stdout);

        var read = JsonDocument.Parse(PythonTorch.Run(
            "import json, sys, numpy as np\na = np.load(sys.stdin.read().strip())\n" +
            "print(json.dumps({'shape': list(a.shape), 'dtype': a.dtype.str, 'values': [repr(float(v)) for v in a.ravel()]}))", output)).RootElement;
        Assert.Equal([13L, 16L], read.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()));
        Assert.Equal("<f4", read.GetProperty("dtype").GetString());
        var values = read.GetProperty("values").EnumerateArray().Select(v => (float)double.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray();
        AssertRows(ExpectedImageRows(model, folder.Path), values, 1e-5);
    }

    [Fact]
    public void ImageEmbeddingsWrittenAsSafetensorsCarryTheirMetadata()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var output = folder.File("images.safetensors");
        var (exit, stdout, error) = Run("embed", "--model", model, "--data", manifest, "--out", output, "--threads", "1");
        Assert.True(exit == 0, stdout + error);

        using var file = SafeTensors.Load(output);
        Assert.Equal(EmbeddingExport.FormatVersion, file.Metadata["format"]);
        Assert.Equal("image", file.Metadata["kind"]);
        Assert.Equal("embedding", file.Metadata["feature"]);
        var matrix = file[EmbeddingExport.TensorName];
        Assert.Equal([13L, 16L], matrix.Shape);
        AssertRows(ExpectedImageRows(model, folder.Path), matrix.ToArray<float>(), 1e-5);
    }

    [Fact]
    public void NormalisedTextEmbeddingsAreTheCaptionsThroughTheTextTower()
    {
        using var folder = new TempFolder();
        var model = EvalTestData.SaveTinyModel(folder.File("model"));
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var output = folder.File("texts.safetensors");
        var (exit, stdout, error) = Run("embed", "--model", model, "--data", manifest, "--out", output, "--text", "--normalize", "--threads", "1");
        Assert.True(exit == 0, stdout + error);

        float[][] expected;
        using (var clip = HuggingFaceClip.Load(model))
        using (var scope = DisposeScope.Begin())
        using (var noGrad = GradMode.NoGrad())
        {
            clip.Eval();
            expected = EvalTestData.Rows.Select(r =>
                clip.EncodeText(ClipTokenizer.Default.Tokenize([r.Caption], 16), normalize: true).ToArray<float>()).ToArray();
        }
        using var file = SafeTensors.Load(output);
        Assert.Equal("text", file.Metadata["kind"]);
        Assert.Equal("true", file.Metadata["normalized"]);
        AssertRows(expected, file[EmbeddingExport.TensorName].ToArray<float>(), 1e-5);
    }

    [Fact]
    public void AnUnknownOutputTypeOrFeatureIsAUsageError()
    {
        using var folder = new TempFolder();
        var manifest = EvalTestData.WriteManifest(folder.Path);
        var fixture = SharedPaths.Fixture("hf_clip_tiny_a");
        var (exit, _, error) = CliRunner.Run("embed", "--model", fixture, "--data", manifest, "--out", folder.File("e.csv"));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("e.csv", error);
        (exit, _, error) = CliRunner.Run("embed", "--model", fixture, "--data", manifest, "--out", folder.File("e.npy"), "--feature", "patches");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("'patches'", error);
    }
}
