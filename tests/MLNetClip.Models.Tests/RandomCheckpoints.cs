using System.Globalization;
using MLNetClip.Torch;

namespace MLNetClip.Models.Tests;

/// <summary>Random CLIP configurations and checkpoints, written by hand in each layout's own naming.</summary>
internal static class RandomCheckpoints
{
    /// <summary>A random small configuration; head counts, sizes and MLP widths vary independently.</summary>
    public static HfDims Dims(Random rng, string visionAct, string textAct, bool argMaxPooling)
    {
        int Pick(params int[] xs) => xs[rng.Next(xs.Length)];
        var patch = Pick(4, 6, 8);
        var grid = Pick(2, 3, 4);
        var vHeads = Pick(1, 2, 3, 4);
        var tHeads = Pick(1, 2, 4);
        var vocab = Pick(97, 300, 1000);
        return new HfDims(
            EmbedDim: Pick(16, 24, 32),
            ImageSize: patch * grid, PatchSize: patch, VisionWidth: vHeads * Pick(8, 12), VisionLayers: Pick(1, 2, 3),
            VisionHeads: vHeads, VisionIntermediate: Pick(40, 64, 100), VisionAct: visionAct,
            VocabSize: vocab, ContextLength: Pick(8, 12, 16), TextWidth: tHeads * Pick(8, 10), TextLayers: Pick(1, 2, 3),
            TextHeads: tHeads, TextIntermediate: Pick(36, 64, 90), TextAct: textAct,
            EosTokenId: argMaxPooling ? 2 : vocab - 3);
    }

    /// <summary>A config.json as transformers writes one (only the keys CLIPConfig reads).</summary>
    public static void WriteHfConfig(string path, HfDims d)
    {
        string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        File.WriteAllText(path, $$"""
        {
          "architectures": ["CLIPModel"],
          "model_type": "clip",
          "projection_dim": {{d.EmbedDim}},
          "logit_scale_init_value": 2.6592,
          "text_config": {
            "vocab_size": {{d.VocabSize}}, "hidden_size": {{d.TextWidth}}, "intermediate_size": {{d.TextIntermediate}},
            "num_hidden_layers": {{d.TextLayers}}, "num_attention_heads": {{d.TextHeads}},
            "max_position_embeddings": {{d.ContextLength}}, "hidden_act": "{{d.TextAct}}",
            "layer_norm_eps": {{F(d.Eps)}}, "eos_token_id": {{d.EosTokenId}}, "bos_token_id": 1, "pad_token_id": 0
          },
          "vision_config": {
            "image_size": {{d.ImageSize}}, "patch_size": {{d.PatchSize}}, "hidden_size": {{d.VisionWidth}},
            "intermediate_size": {{d.VisionIntermediate}}, "num_hidden_layers": {{d.VisionLayers}},
            "num_attention_heads": {{d.VisionHeads}}, "hidden_act": "{{d.VisionAct}}", "layer_norm_eps": {{F(d.Eps)}}
          }
        }
        """);
    }

    /// <summary>Random weights under Hugging Face CLIPModel names (LayerNorm gains perturbed away from 1).</summary>
    public static Dictionary<string, Tensor> HfWeights(HfDims d, Generator gen)
    {
        var w = new Dictionary<string, Tensor>();
        void Rand(string name, params long[] shape) => w[name] = (Tensor.Randn(shape, gen) * 0.1).DetachFromScope();
        void Norm(string name, long width)
        {
            w[name + ".weight"] = (Tensor.Randn([width], gen) * 0.2 + 1).DetachFromScope();
            w[name + ".bias"] = (Tensor.Randn([width], gen) * 0.1).DetachFromScope();
        }
        void Layers(string prefix, int layers, long width, long hidden)
        {
            for (var i = 0; i < layers; i++)
            {
                var p = $"{prefix}.encoder.layers.{i}.";
                Norm(p + "layer_norm1", width);
                Norm(p + "layer_norm2", width);
                foreach (var n in new[] { "q_proj", "k_proj", "v_proj", "out_proj" })
                {
                    Rand(p + $"self_attn.{n}.weight", width, width);
                    Rand(p + $"self_attn.{n}.bias", width);
                }
                Rand(p + "mlp.fc1.weight", hidden, width);
                Rand(p + "mlp.fc1.bias", hidden);
                Rand(p + "mlp.fc2.weight", width, hidden);
                Rand(p + "mlp.fc2.bias", width);
            }
        }
        var tokens = (d.ImageSize / d.PatchSize) * (d.ImageSize / d.PatchSize) + 1;
        Rand("vision_model.embeddings.patch_embedding.weight", d.VisionWidth, 3, d.PatchSize, d.PatchSize);
        Rand("vision_model.embeddings.class_embedding", d.VisionWidth);
        Rand("vision_model.embeddings.position_embedding.weight", tokens, d.VisionWidth);
        Norm("vision_model.pre_layrnorm", d.VisionWidth);
        Layers("vision_model", d.VisionLayers, d.VisionWidth, d.VisionIntermediate);
        Norm("vision_model.post_layernorm", d.VisionWidth);
        Rand("visual_projection.weight", d.EmbedDim, d.VisionWidth);
        Rand("text_model.embeddings.token_embedding.weight", d.VocabSize, d.TextWidth);
        Rand("text_model.embeddings.position_embedding.weight", d.ContextLength, d.TextWidth);
        Layers("text_model", d.TextLayers, d.TextWidth, d.TextIntermediate);
        Norm("text_model.final_layer_norm", d.TextWidth);
        Rand("text_projection.weight", d.EmbedDim, d.TextWidth);
        w["logit_scale"] = Tensor.Scalar(2.3).DetachFromScope();
        return w;
    }

    /// <summary>
    /// Caption ids [B, L]: a start id, random words, the eos id, then zero padding; one row repeats
    /// the eos id so that "first eos" and "last eos" differ.
    /// </summary>
    public static Tensor Ids(HfDims d, Random rng, int batch)
    {
        var l = d.ContextLength;
        var eos = d.ArgMaxPooling ? d.VocabSize - 1 : d.EosTokenId;
        var ids = new long[batch * l];
        for (var r = 0; r < batch; r++)
        {
            var end = rng.Next(2, l);
            ids[r * l] = 1;
            for (var j = 1; j < end; j++) ids[r * l + j] = 3 + rng.Next(d.VocabSize - 6);
            ids[r * l + end] = eos;
            if (r == 0 && end > 2) ids[r * l + end / 2] = eos;
        }
        return Tensor.FromArray(ids, batch, l);
    }

    public static void Dispose(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }
}
