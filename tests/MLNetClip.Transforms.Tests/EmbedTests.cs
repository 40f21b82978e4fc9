using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Transforms.Tests;

/// <summary>
/// MaskClipEmbed in the manner of ML.NET's estimator tests: the output schema, bad input columns
/// failing at Fit and GetOutputSchema, and the values against the library's own embedder.
/// </summary>
public class EmbedTests
{
    private static IDataView Rows(MLContext ml, List<string> paths) =>
        ml.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { Path = p, Bytes = File.ReadAllBytes(p) }).ToList());

    private static float[][] Read(MLContext ml, IDataView data, string column = "Features") =>
        data.GetColumn<float[]>(column).ToArray();

    [Fact]
    public void OutputSchemaAddsAKnownSizeVectorBothBeforeAndAfterFit()
    {
        using var folder = new TempFolder();
        var (paths, _) = TestModels.Images(folder, 3);
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Fixture();
        var data = Rows(ml, paths);
        var estimator = ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model);

        var shape = estimator.GetOutputSchema(Shapes.Of(data.Schema));
        var column = shape.Single(c => c.Name == "Features");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.Equal(NumberDataViewType.Single, column.ItemType);

        var schema = estimator.Fit(data).GetOutputSchema(data.Schema);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 32), schema["Features"].Type);
        Assert.Equal(data.Schema.Count + 1, schema.Count);
        var classToken = ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model, ImageFeature.ClassToken).Fit(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 64), classToken.GetOutputSchema(data.Schema)["Features"].Type);
    }

    [Fact]
    public void AMissingOrMistypedColumnFailsNamingItAndTheExpectedType()
    {
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Fixture();
        var data = ml.Data.LoadFromEnumerable(new[] { new { Number = 1f, Path = "x.png" } });
        var missing = ml.Transforms.MaskClipEmbed("Features", "Picture", model);
        var wrong = ml.Transforms.MaskClipEmbed("Features", "Number", model);

        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => missing.Fit(data));
        Assert.Contains("'Picture' not found", e1.Message);
        Assert.Contains("MLImage", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => wrong.Fit(data));
        Assert.Contains("'Number' is Single", e2.Message);
        Assert.Contains("Vector<Byte>", e2.Message);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => wrong.GetOutputSchema(Shapes.Of(data.Schema)));
        Assert.Contains("'Number'", e3.Message);
        Assert.Contains("String", e3.Message);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.MaskClipEmbedText("T", "Number", model).Fit(data));
        Assert.Contains("'Number' is Single; expected String", e4.Message);
        var e5 = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.MaskClipEmbed("Features", "Path", model, batchSize: 0));
        Assert.Contains("'BatchSize' must be 1 to 65536", e5.Message);
    }

    [Fact]
    public void EmbeddingsEqualTheLibraryEmbedderNormalisedAndDoNotDependOnTheBatchSize()
    {
        using var folder = new TempFolder();
        var (paths, _) = TestModels.Images(folder, 7);
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Fixture();
        var data = Rows(ml, paths);
        var baseline = LiveTensors.Baseline();
        var batched = Read(ml, ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model, batchSize: 3).Fit(data).Transform(data));
        var single = Read(ml, ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model, batchSize: 1).Fit(data).Transform(data));
        var raw = Read(ml, ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model, normalize: false).Fit(data).Transform(data));
        Assert.Equal(baseline, Tensor.LiveCount);

        var records = paths.Select((p, i) => Data.Datasets.ImageTextRecord.FromFile($"{i}", "test", p, null)).ToList();
        using var direct = new ClipEmbedder(model, batchSize: 7).ImageFeatures(new RecordImages(records), ImageFeature.Embedding); // [7, 32]
        var expected = direct.ToArray<float>();
        Assert.Equal(7, batched.Length);
        for (var i = 0; i < 7; i++)
        {
            var norm = Math.Sqrt(expected.Skip(32 * i).Take(32).Sum(v => (double)v * v));
            for (var d = 0; d < 32; d++)
            {
                Assert.Equal(expected[32 * i + d], raw[i][d], 1e-5f);
                Assert.Equal(expected[32 * i + d] / norm, batched[i][d], 1e-5);
                Assert.Equal(batched[i][d], single[i][d], 1e-5f);
            }
        }
    }

    [Fact]
    public void MLImagePathAndBytesGiveIdenticalEmbeddings()
    {
        using var folder = new TempFolder();
        var (paths, _) = TestModels.Images(folder, 5);
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Fixture();
        var data = Rows(ml, paths);
        var fromPath = Read(ml, ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model).Fit(data).Transform(data));
        var fromBytes = Read(ml, ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Bytes), model).Fit(data).Transform(data));
        var images = ml.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.Path))
            .Append(ml.Transforms.MaskClipEmbed("Features", "Image", model));
        var fromImage = Read(ml, images.Fit(data).Transform(data));
        for (var i = 0; i < paths.Count; i++)
        {
            Assert.Equal(fromPath[i], fromBytes[i]);
            Assert.Equal(fromPath[i], fromImage[i]);
        }
    }

    [Fact]
    public void TextEmbeddingsEqualTheTextTowerNormalised()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Micro(folder);
        string[] texts = ["a red square", "a photo of a blue circle on a green background", "x"];
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new ImageRow { Caption = t }).ToList());
        var transformer = ml.Transforms.MaskClipEmbedText("TextFeatures", nameof(ImageRow.Caption), model, batchSize: 2).Fit(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 64), transformer.GetOutputSchema(data.Schema)["TextFeatures"].Type);
        var got = Read(ml, transformer.Transform(data), "TextFeatures");
        using var direct = new ClipEmbedder(model, batchSize: 3).TextEmbeddings(texts);     // [3, 64] unnormalised
        using var scope = DisposeScope.Begin();
        var expected = F.Normalize(direct).ToArray<float>();
        for (var i = 0; i < 3; i++)
            for (var d = 0; d < 64; d++)
                Assert.Equal(expected[64 * i + d], got[i][d], 1e-5f);
    }
}
