using MLNetClip.Data.Datasets;
using MLNetClip.Data.Images;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>
/// The embedder's features against what Hugging Face transformers computed for the shared fixture,
/// and its batching against one-image-at-a-time encoding of the same files.
/// </summary>
public class EmbedderTests
{
    private static string FixtureDir => SharedPaths.Fixture("hf_clip_tiny_a");

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        using var scope = DisposeScope.Begin();
        var error = (expected.To(Device.Cpu, ScalarType.Float32) - actual.To(Device.Cpu, ScalarType.Float32)).Abs().Max().Item();
        Assert.True(error <= tolerance, $"max |error| {error:E2} above {tolerance:E0}");
    }

    [Fact]
    public void FeaturesOfTheFixtureMatchTransformersOutputs()
    {
        using var model = EvaluationModel.Load(FixtureDir, TestDevice.Current);
        using var io = SafeTensors.Load(Path.Combine(FixtureDir, "io.safetensors"));
        using var weights = SafeTensors.Load(Path.Combine(FixtureDir, "model.safetensors"));
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var pixels = io["pixel_values"].To(TestDevice.Current);                                  // [3, 3, 32, 32]
        // transformers' last_hidden_state is before post_layernorm; apply the fixture's own norm by hand.
        var normed = F.LayerNorm(io["vision_last_hidden_state"], [64],
            weights["vision_model.post_layernorm.weight"], weights["vision_model.post_layernorm.bias"]); // [3, 17, 64]

        AssertClose(io["vision_pooler_output"], ClipEmbedder.Features(model.Clip, pixels, ImageFeature.Embedding), 1e-4);
        AssertClose(normed.Select(1, 0), ClipEmbedder.Features(model.Clip, pixels, ImageFeature.ClassToken), 1e-4);
        AssertClose(normed.Narrow(1, 1, 16).Mean(1), ClipEmbedder.Features(model.Clip, pixels, ImageFeature.MeanPatches), 1e-4);
        AssertClose(pixels.Flatten(1), ClipEmbedder.Features(model.Clip, pixels, ImageFeature.Pixels), 0);
    }

    [Fact]
    public void BatchesKeepTheOrderAndMatchOneImageAtATime()
    {
        using var folder = new TempFolder();
        var records = ManifestSource.Open(TrainingTestData.WriteManifest(folder.Path, 7, size: 40)).ToList();
        using var model = EvaluationModel.Load(FixtureDir, TestDevice.Current);
        var baseline = LiveTensors.Baseline();
        using (var batched = new ClipEmbedder(model, batchSize: 3, decodeThreads: 2).ImageFeatures(new RecordImages(records), ImageFeature.Embedding))
        using (var single = new ClipEmbedder(model, batchSize: 1, decodeThreads: 1).ImageFeatures(new RecordImages(records), ImageFeature.Embedding))
        {
            Assert.Equal([7L, 32L], batched.Shape);
            Assert.Equal(Device.Cpu, batched.Device);
            AssertClose(single, batched, 1e-5);
            using var scope = DisposeScope.Begin();
            using var noGrad = GradMode.NoGrad();
            var preprocessor = ImagePreprocessor.Evaluation(32);
            for (var i = 0; i < records.Count; i++)
            {
                var one = preprocessor.Batch([records[i].ImagePath!]).To(TestDevice.Current);   // [1, 3, 32, 32]
                AssertClose(model.Clip.EncodeImage(one), batched.Narrow(0, i, 1), 1e-5);
            }
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void PixelFeaturesAreThePreprocessedImagesAtTheAskedSize()
    {
        using var folder = new TempFolder();
        var records = ManifestSource.Open(TrainingTestData.WriteManifest(folder.Path, 5, size: 40)).ToList();
        using var model = EvaluationModel.Load(FixtureDir, TestDevice.Current);
        using var pixels = new ClipEmbedder(model, batchSize: 2).PixelFeatures(new RecordImages(records), 8);
        using var expected = ImagePreprocessor.Evaluation(8).Batch(records.Select(r => r.ImagePath!).ToList());
        using var flat = expected.Flatten(1);
        AssertClose(flat, pixels, 0);
    }

    [Fact]
    public void ARunFolderLoadsItsModelSubfolder()
    {
        // A pretraining run keeps its own config.json beside model/; the run's file must not be
        // mistaken for the model's.
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), "{\"method\": \"clip\"}");
        var nested = Directory.CreateDirectory(Path.Combine(folder.Path, "model")).FullName;
        foreach (var name in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(FixtureDir, name), Path.Combine(nested, name));
        using var fromRun = EvaluationModel.Load(folder.Path, TestDevice.Current);
        using var direct = EvaluationModel.Load(FixtureDir, TestDevice.Current);
        using var scope = DisposeScope.Begin();
        var a = fromRun.Clip.Visual.PosEmbed.To(Device.Cpu);
        var b = direct.Clip.Visual.PosEmbed.To(Device.Cpu);
        AssertClose(b, a, 0);
    }

    [Fact]
    public void ABrokenOrMissingImageFailsNamingItsFile()
    {
        using var folder = new TempFolder();
        var records = ManifestSource.Open(TrainingTestData.WriteManifest(folder.Path, 4)).ToList();
        using var model = EvaluationModel.Load(FixtureDir, TestDevice.Current);
        var embedder = new ClipEmbedder(model, batchSize: 4, decodeThreads: 2);
        File.WriteAllBytes(records[2].ImagePath!, [1, 2, 3, 4]);
        var broken = Assert.Throws<ImageDecodeException>(() => embedder.ImageFeatures(new RecordImages(records), ImageFeature.Embedding));
        Assert.Contains(records[2].ImagePath!, broken.Message);
        File.Delete(records[1].ImagePath!);
        var missing = Assert.Throws<FileNotFoundException>(() => embedder.ImageFeatures(new RecordImages(records), ImageFeature.ClassToken));
        Assert.Contains(records[1].ImagePath!, missing.Message);
    }

    [Fact]
    public void ATokenizerBeyondTheTextTowerIsRefusedNamingTheFolder()
    {
        using var model = EvaluationModel.Load(FixtureDir, TestDevice.Current);
        var e = Assert.Throws<InvalidDataException>(() => new ClipEmbedder(model).TextEmbeddings(["a cat"]));
        Assert.Contains(FixtureDir, e.Message);
        Assert.Contains("512 token ids", e.Message);
    }

    [Fact]
    public void AMissingModelFolderIsNamed()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => EvaluationModel.Load("/nonexistent/model", Device.Cpu));
        Assert.Contains("/nonexistent/model", e.Message);
    }
}
