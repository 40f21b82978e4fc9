using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models.Tests;

/// <summary>open_clip/OpenAI-named weights → our model → Hugging Face export → reload.</summary>
public class OpenClipImportTests
{
    [Fact]
    public void OpenClipWeights_MatchReference_AndSurviveHfExport()
    {
        var rng = new Random(21);
        // OpenAI's loader assumes 64-wide heads, so the widths here are multiples of 64.
        var d = RandomCheckpoints.Dims(rng, "quick_gelu", "quick_gelu", argMaxPooling: true) with
        {
            VisionWidth = 128, VisionHeads = 2, VisionIntermediate = 512, TextWidth = 64, TextHeads = 1, TextIntermediate = 256,
        };
        using var gen = new Generator(21);
        var hf = RandomCheckpoints.HfWeights(d, gen);
        var openClip = ToOpenClipNames(hf, d);
        using var dir = new TempDir();
        using var exported = new TempDir();
        try
        {
            SafeTensors.Save(dir.File("open_clip_model.safetensors"), openClip);
            var options = OpenClipWeights.InferOptions(dir.File("open_clip_model.safetensors"), Activation.QuickGelu);
            Assert.Equal((d.ImageSize, d.PatchSize, d.VisionWidth, d.VisionLayers, d.VisionHeads), (options.Vision.ImageSize, options.Vision.PatchSize, options.Vision.Width, options.Vision.Layers, options.Vision.Heads));
            Assert.Equal((d.VocabSize, d.ContextLength, d.TextWidth, d.TextLayers, d.TextHeads), (options.Text.VocabSize, options.Text.ContextLength, options.Text.Width, options.Text.Layers, options.Text.Heads));
            Assert.Equal(d.EmbedDim, options.EmbedDim);
            Assert.Equal(TextPooling.ArgMax, options.Text.Pooling);

            using var model = OpenClipWeights.Load(dir.File("open_clip_model.safetensors"), options);
            using var scope = DisposeScope.Begin();
            var pixels = Tensor.Randn([2, 3, d.ImageSize, d.ImageSize], gen);
            var ids = RandomCheckpoints.Ids(d, rng, 2);
            HfRoundTripTests.AssertClose(ReferenceClip.Vision(hf, d, pixels).Embed, model.EncodeImage(pixels), 1e-4, "image embedding");
            HfRoundTripTests.AssertClose(ReferenceClip.Text(hf, d, ids).Embed, model.EncodeText(ids), 1e-4, "text embedding");

            HuggingFaceClip.Save(model, exported.Path);
            using var reloaded = HuggingFaceClip.Load(exported.Path);
            HfRoundTripTests.AssertClose(model.EncodeImage(pixels, normalize: true), reloaded.EncodeImage(pixels, normalize: true), 0, "image");
            HfRoundTripTests.AssertClose(model.EncodeText(ids, normalize: true), reloaded.EncodeText(ids, normalize: true), 0, "text");
            HfRoundTripTests.AssertClose(model.LogitScale, reloaded.LogitScale, 0, "logit scale");
        }
        finally
        {
            RandomCheckpoints.Dispose(hf);
            RandomCheckpoints.Dispose(openClip);
        }
    }

    [Fact]
    public void MismatchedOpenClipCheckpoint_ListsEveryProblem()
    {
        var d = RandomCheckpoints.Dims(new Random(3), "gelu", "gelu", argMaxPooling: true);
        using var gen = new Generator(3);
        var hf = RandomCheckpoints.HfWeights(d, gen);
        var openClip = ToOpenClipNames(hf, d);
        using var dir = new TempDir();
        try
        {
            openClip.Remove("ln_final.bias", out var gone);
            gone!.Dispose();
            openClip["visual.transformer.resblocks.0.attn.in_proj_weight"].Dispose();
            openClip["visual.transformer.resblocks.0.attn.in_proj_weight"] = Tensor.Zeros([d.VisionWidth, d.VisionWidth]).DetachFromScope();
            openClip["visual.attnpool.weight"] = Tensor.Zeros([1]).DetachFromScope();
            openClip["context_length"] = Tensor.Scalar(d.ContextLength, ScalarType.Int64).DetachFromScope();
            SafeTensors.Save(dir.File("bad.safetensors"), openClip);
            var options = new ClipOptions
            {
                EmbedDim = d.EmbedDim,
                Vision = new() { ImageSize = d.ImageSize, PatchSize = d.PatchSize, Width = d.VisionWidth, Layers = d.VisionLayers, Heads = d.VisionHeads, MlpRatio = d.VisionIntermediate / (double)d.VisionWidth },
                Text = new() { VocabSize = d.VocabSize, ContextLength = d.ContextLength, Width = d.TextWidth, Layers = d.TextLayers, Heads = d.TextHeads, MlpRatio = d.TextIntermediate / (double)d.TextWidth, EosTokenId = d.VocabSize - 1 },
            };
            var e = Assert.Throws<CheckpointMismatchException>(() => OpenClipWeights.Load(dir.File("bad.safetensors"), options));
            Assert.Equal(["ln_final.bias"], e.Missing);
            Assert.Equal(["visual.attnpool.weight"], e.Unexpected);
            var wrong = Assert.Single(e.Mismatched);
            Assert.StartsWith("visual.transformer.resblocks.0.attn.in_proj_weight: expected [", wrong);
        }
        finally
        {
            RandomCheckpoints.Dispose(hf);
            RandomCheckpoints.Dispose(openClip);
        }
    }

    /// <summary>The open_clip layout, written from its definition: q, k, v stacked in in_proj, projections as x·P.</summary>
    private static Dictionary<string, Tensor> ToOpenClipNames(Dictionary<string, Tensor> hf, HfDims d)
    {
        var o = new Dictionary<string, Tensor>();
        void Put(string name, Tensor t) => o[name] = t.Contiguous().DetachFromScope();
        void Layers(string hfPrefix, string ocPrefix, int layers)
        {
            for (var i = 0; i < layers; i++)
            {
                string h = $"{hfPrefix}.encoder.layers.{i}.", c = $"{ocPrefix}transformer.resblocks.{i}.";
                foreach (var s in new[] { "weight", "bias" })
                {
                    Put(c + $"ln_1.{s}", hf[h + $"layer_norm1.{s}"]);
                    Put(c + $"ln_2.{s}", hf[h + $"layer_norm2.{s}"]);
                    Put(c + $"attn.in_proj_{s}", Tensor.Cat([hf[h + $"self_attn.q_proj.{s}"], hf[h + $"self_attn.k_proj.{s}"], hf[h + $"self_attn.v_proj.{s}"]], 0));
                    Put(c + $"attn.out_proj.{s}", hf[h + $"self_attn.out_proj.{s}"]);
                    Put(c + $"mlp.c_fc.{s}", hf[h + $"mlp.fc1.{s}"]);
                    Put(c + $"mlp.c_proj.{s}", hf[h + $"mlp.fc2.{s}"]);
                }
            }
        }
        using var scope = DisposeScope.Begin();
        Put("visual.conv1.weight", hf["vision_model.embeddings.patch_embedding.weight"]);
        Put("visual.class_embedding", hf["vision_model.embeddings.class_embedding"]);
        Put("visual.positional_embedding", hf["vision_model.embeddings.position_embedding.weight"]);
        Put("visual.ln_pre.weight", hf["vision_model.pre_layrnorm.weight"]);
        Put("visual.ln_pre.bias", hf["vision_model.pre_layrnorm.bias"]);
        Layers("vision_model", "visual.", d.VisionLayers);
        Put("visual.ln_post.weight", hf["vision_model.post_layernorm.weight"]);
        Put("visual.ln_post.bias", hf["vision_model.post_layernorm.bias"]);
        Put("visual.proj", hf["visual_projection.weight"].MT);
        Put("token_embedding.weight", hf["text_model.embeddings.token_embedding.weight"]);
        Put("positional_embedding", hf["text_model.embeddings.position_embedding.weight"]);
        Layers("text_model", "", d.TextLayers);
        Put("ln_final.weight", hf["text_model.final_layer_norm.weight"]);
        Put("ln_final.bias", hf["text_model.final_layer_norm.bias"]);
        Put("text_projection", hf["text_projection.weight"].MT);
        Put("logit_scale", hf["logit_scale"]);
        return o;
    }
}
