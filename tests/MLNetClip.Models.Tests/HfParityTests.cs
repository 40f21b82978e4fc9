using MLNetClip.Torch;

namespace MLNetClip.Models.Tests;

/// <summary>Our model against outputs, loss and gradients that transformers computed for the shared tiny CLIP.</summary>
public class HfParityTests
{
    private static string FixtureDir => SharedPaths.Fixture("hf_clip_tiny_a");

    [Fact]
    public void Config_IsReadAsTheFixtureDescribes()
    {
        var o = HfClipConfig.Read(System.IO.Path.Combine(FixtureDir, "config.json"));
        Assert.Equal(32, o.EmbedDim);
        Assert.Equal((32, 8, 64, 2, 4, 256L), (o.Vision.ImageSize, o.Vision.PatchSize, o.Vision.Width, o.Vision.Layers, o.Vision.Heads, o.Vision.MlpHidden));
        Assert.Equal((512, 48, 2, 4, 16, 192L), (o.Text.VocabSize, o.Text.Width, o.Text.Layers, o.Text.Heads, o.Text.ContextLength, o.Text.MlpHidden));
        Assert.Equal(Torch.Nn.Activation.QuickGelu, o.Vision.Activation);
        Assert.Equal(Torch.Nn.Activation.QuickGelu, o.Text.Activation);
        Assert.Equal(TextPooling.FirstEos, o.Text.Pooling);
        Assert.Equal(511, o.Text.EosTokenId);
    }

    [Fact]
    public void EveryReferenceTensor_MatchesWithinTolerance()
    {
        using var model = HuggingFaceClip.Load(FixtureDir);
        model.To(TestDevice.Current);
        using var io = SafeTensors.Load(System.IO.Path.Combine(FixtureDir, "io.safetensors"));
        var results = HfParityCheck.Run(model, io.Tensors, "io.safetensors");

        // Everything in the file except the two inputs was compared.
        Assert.Equal(io.Tensors.Count - 2, results.Count);
        foreach (var name in new[] { "vision_last_hidden_state", "vision_pooler_output", "text_last_hidden_state", "text_pooler_output",
                     "image_embeds", "text_embeds", "logits_per_image", "loss", "grad.logit_scale", "grad.visual_projection.weight" })
            Assert.Contains(results, r => r.Name == name);
        Assert.Equal(5, results.Count(r => r.Name.StartsWith("grad.", StringComparison.Ordinal)));

        foreach (var r in results)
            Assert.True(r.MaxAbsError <= 1e-4, $"{r.Name}: max abs error {r.MaxAbsError:E3} > 1e-4");
        var loss = results.Single(r => r.Name == "loss");
        Assert.True(loss.RelativeError <= 1e-5, $"loss: relative error {loss.RelativeError:E3} > 1e-5");
    }

    [Fact]
    public void Loss_IsTheValueTheFixtureStates()
    {
        using var model = HuggingFaceClip.Load(FixtureDir);
        using var io = SafeTensors.Load(System.IO.Path.Combine(FixtureDir, "io.safetensors"));
        using var scope = DisposeScope.Begin();
        var image = model.EncodeImage(io["pixel_values"], normalize: true);
        var text = model.EncodeText(io["input_ids"], normalize: true);
        using var terms = new ClipLoss().Forward(image, text, model.LogitScaleFactor());
        Assert.Equal(1.1400087, terms.Total.Item(), 5);
        Assert.Equal(Math.Exp(2.3), model.LogitScaleFactor().Item(), 5);
    }

    [Fact]
    public void APerturbedWeight_IsCaught()
    {
        // The check must be able to fail: nudge one attention weight and the parity breaks.
        using var model = HuggingFaceClip.Load(FixtureDir);
        using (GradMode.NoGrad())
            model.Text.Blocks.Blocks[1].Attn.VProj.Weight.Add_(0.01);
        using var io = SafeTensors.Load(System.IO.Path.Combine(FixtureDir, "io.safetensors"));
        var results = HfParityCheck.Run(model, io.Tensors, "io.safetensors");
        Assert.True(results.Single(r => r.Name == "text_last_hidden_state").MaxAbsError > 1e-3);
        Assert.True(results.Single(r => r.Name == "vision_last_hidden_state").MaxAbsError <= 1e-4);
    }
}
