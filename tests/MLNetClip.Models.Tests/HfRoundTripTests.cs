using MLNetClip.Torch;

namespace MLNetClip.Models.Tests;

/// <summary>
/// Hugging Face import checked on random configurations against the independent reference
/// forward, then export → reload giving identical outputs and configuration.
/// </summary>
public class HfRoundTripTests
{
    public static TheoryData<int, string, string, bool> Configs => new()
    {
        { 11, "gelu", "gelu", false },
        { 12, "quick_gelu", "quick_gelu", true },
        { 13, "gelu", "quick_gelu", false },
        { 14, "quick_gelu", "gelu", true },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void RandomConfig_MatchesReference_AndSurvivesExport(int seed, string visionAct, string textAct, bool argMax)
    {
        var rng = new Random(seed);
        var d = RandomCheckpoints.Dims(rng, visionAct, textAct, argMax);
        using var gen = new Generator((ulong)seed);
        var weights = RandomCheckpoints.HfWeights(d, gen);
        using var dir = new TempDir();
        using var exported = new TempDir();
        try
        {
            RandomCheckpoints.WriteHfConfig(dir.File("config.json"), d);
            SafeTensors.Save(dir.File("model.safetensors"), weights);
            using var scope = DisposeScope.Begin();
            var pixels = Tensor.Randn([3, 3, d.ImageSize, d.ImageSize], gen);
            var ids = RandomCheckpoints.Ids(d, rng, 3);

            using var model = HuggingFaceClip.Load(dir.Path);
            var (refVision, refImage) = ReferenceClip.Vision(weights, d, pixels);
            var (refText, refTextEmbed) = ReferenceClip.Text(weights, d, ids);
            using (var v = model.Visual.Encode(pixels))
            using (var t = model.Text.Encode(ids))
            {
                AssertClose(refVision, v.LastHiddenState, 1e-4, $"{d} vision hidden");
                AssertClose(refImage, v.Embedding, 1e-4, $"{d} image embedding");
                AssertClose(refText, t.LastHiddenState, 1e-4, $"{d} text hidden");
                AssertClose(refTextEmbed, t.Embedding, 1e-4, $"{d} text embedding");
            }

            HuggingFaceClip.Save(model, exported.Path);
            using var reloaded = HuggingFaceClip.Load(exported.Path);
            Assert.Equal(model.Options, reloaded.Options);
            AssertClose(model.EncodeImage(pixels), reloaded.EncodeImage(pixels), 0, "reloaded image embedding");
            AssertClose(model.EncodeText(ids), reloaded.EncodeText(ids), 0, "reloaded text embedding");
            AssertClose(model.GetLogits(pixels, ids).PerImage, reloaded.GetLogits(pixels, ids).PerImage, 0, "reloaded logits");

            // The exported file holds exactly Hugging Face's names with the original tensors.
            using var file = SafeTensors.Load(exported.File("model.safetensors"));
            Assert.Equal(weights.Keys.Order(), file.Tensors.Keys.Order());
            foreach (var (name, t) in weights)
                AssertClose(t, file[name], 0, name);
        }
        finally
        {
            RandomCheckpoints.Dispose(weights);
        }
    }

    [Fact]
    public void MismatchedCheckpoint_ListsEveryProblemInOneError()
    {
        var d = RandomCheckpoints.Dims(new Random(5), "gelu", "gelu", false);
        using var gen = new Generator(5);
        var weights = RandomCheckpoints.HfWeights(d, gen);
        using var dir = new TempDir();
        try
        {
            weights.Remove("text_model.final_layer_norm.bias", out var removed);
            removed!.Dispose();
            weights["text_model.encoder.layers.0.mlp.fc9.weight"] = Tensor.Zeros([2, 2]).DetachFromScope();
            weights["visual_projection.weight"].Dispose();
            weights["visual_projection.weight"] = Tensor.Zeros([d.EmbedDim + 1, d.VisionWidth]).DetachFromScope();
            // Older transformers saved position ids; they are not an error.
            weights["text_model.embeddings.position_ids"] = Tensor.Arange(d.ContextLength).View(1, d.ContextLength).DetachFromScope();
            RandomCheckpoints.WriteHfConfig(dir.File("config.json"), d);
            SafeTensors.Save(dir.File("model.safetensors"), weights);

            var e = Assert.Throws<CheckpointMismatchException>(() => HuggingFaceClip.Load(dir.Path));
            Assert.Equal(["text_model.final_layer_norm.bias"], e.Missing);
            Assert.Equal(["text_model.encoder.layers.0.mlp.fc9.weight"], e.Unexpected);
            Assert.Single(e.Mismatched);
            Assert.Contains("visual_projection.weight: expected [", e.Mismatched[0]);
            Assert.Contains("model.safetensors", e.Message);
        }
        finally
        {
            RandomCheckpoints.Dispose(weights);
        }
    }

    [Fact]
    public void InvalidConfig_NamesTheFileAndTheProblem()
    {
        using var dir = new TempDir();
        var d = RandomCheckpoints.Dims(new Random(6), "gelu", "gelu", false) with { VisionHeads = 5, VisionWidth = 48 };
        RandomCheckpoints.WriteHfConfig(dir.File("config.json"), d);
        File.WriteAllBytes(dir.File("model.safetensors"), []);
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceClip.Load(dir.Path));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("Vision.Heads", e.Message);

        File.WriteAllText(dir.File("config.json"), """{"vision_config": {"hidden_act": "mish"}}""");
        e = Assert.Throws<InvalidDataException>(() => HuggingFaceClip.Load(dir.Path));
        Assert.Contains("hidden_act 'mish'", e.Message);

        File.Delete(dir.File("model.safetensors"));
        Assert.Throws<FileNotFoundException>(() => HuggingFaceClip.Load(dir.Path));
    }

    [Fact]
    public void MeanPooledVisionTower_RefusesHfExport()
    {
        using var model = new Clip(ClipPresets.VitMicro() with { Vision = ClipPresets.VitMicro().Vision with { Pooling = VisionPooling.MeanPatches } });
        using var dir = new TempDir();
        Assert.Throws<NotSupportedException>(() => HuggingFaceClip.Save(model, dir.Path));
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        using var scope = DisposeScope.Begin();
        var diff = (expected.Detach().To(ScalarType.Float64) - actual.Detach().To(ScalarType.Float64)).Abs().Max().Item();
        Assert.True(diff <= tolerance, $"{what}: max abs difference {diff:E3} > {tolerance:E1}");
    }
}
