using MLNetClip.Torch;

namespace MLNetClip.Models.Tests;

/// <summary>The dimensions the reference forward needs, as a Hugging Face config states them.</summary>
internal sealed record HfDims(
    int EmbedDim,
    int ImageSize, int PatchSize, int VisionWidth, int VisionLayers, int VisionHeads, int VisionIntermediate, string VisionAct,
    int VocabSize, int ContextLength, int TextWidth, int TextLayers, int TextHeads, int TextIntermediate, string TextAct, long EosTokenId,
    double Eps = 1e-5)
{
    // transformers pools at argmax(ids) when eos_token_id == 2, else at the first eos.
    public bool ArgMaxPooling => EosTokenId == 2;
}

/// <summary>
/// An independent CLIP forward written straight from Hugging Face's parameter names with raw
/// tensor ops (no model classes, no SDPA): explicit softmax attention, explicit activations,
/// the pooled row found by a loop over the ids on the host.
/// </summary>
internal static class ReferenceClip
{
    /// <summary>(last hidden state before post-LN [B, T, D], projected image embedding [B, E]).</summary>
    public static (Tensor Last, Tensor Embed) Vision(IReadOnlyDictionary<string, Tensor> w, HfDims d, Tensor pixels)
    {
        var b = pixels.Size(0);
        var patches = F.Conv2d(pixels, w["vision_model.embeddings.patch_embedding.weight"], null, stride: d.PatchSize);
        patches = patches.Flatten(2).Transpose(1, 2);                                   // [B, N, D]
        var cls = w["vision_model.embeddings.class_embedding"].View(1, 1, d.VisionWidth).Expand(b, 1, d.VisionWidth);
        var x = Tensor.Cat([cls, patches], 1) + w["vision_model.embeddings.position_embedding.weight"];
        x = Norm(w, "vision_model.pre_layrnorm", x, d.Eps);
        for (var i = 0; i < d.VisionLayers; i++)
            x = Layer(w, $"vision_model.encoder.layers.{i}.", x, d.VisionHeads, d.VisionAct, d.Eps, causal: false);
        var pooled = Norm(w, "vision_model.post_layernorm", x.Select(1, 0), d.Eps);
        return (x, F.Linear(pooled, w["visual_projection.weight"]));
    }

    /// <summary>(last hidden state after the final LN [B, L, D], projected text embedding [B, E]).</summary>
    public static (Tensor Last, Tensor Embed) Text(IReadOnlyDictionary<string, Tensor> w, HfDims d, Tensor ids)
    {
        var shape = ids.Shape;
        var table = w["text_model.embeddings.token_embedding.weight"];
        var x = table.IndexSelect(0, ids.Flatten()).View(shape[0], shape[1], d.TextWidth)
            + w["text_model.embeddings.position_embedding.weight"].Narrow(0, 0, shape[1]);
        for (var i = 0; i < d.TextLayers; i++)
            x = Layer(w, $"text_model.encoder.layers.{i}.", x, d.TextHeads, d.TextAct, d.Eps, causal: true);
        x = Norm(w, "text_model.final_layer_norm", x, d.Eps);

        var host = ids.ToArray<long>();
        var rows = new List<Tensor>();
        for (var r = 0; r < shape[0]; r++)
        {
            var row = host.AsSpan((int)(r * shape[1]), (int)shape[1]);
            var at = 0;
            if (d.ArgMaxPooling)
            {
                for (var j = 1; j < row.Length; j++) if (row[j] > row[at]) at = j;
            }
            else
            {
                at = row.IndexOf(d.EosTokenId);
                if (at < 0) at = 0;
            }
            rows.Add(x.Select(0, r).Select(0, at));
        }
        var pooled = Tensor.Stack(rows);                                                // [B, D]
        return (x, F.Linear(pooled, w["text_projection.weight"]));
    }

    private static Tensor Norm(IReadOnlyDictionary<string, Tensor> w, string name, Tensor x, double eps) =>
        F.LayerNorm(x, [x.Size(-1)], w[name + ".weight"], w[name + ".bias"], eps);

    private static Tensor Layer(IReadOnlyDictionary<string, Tensor> w, string p, Tensor x, int heads, string act, double eps, bool causal)
    {
        long b = x.Size(0), t = x.Size(1), width = x.Size(2), dh = width / heads;
        var h = Norm(w, p + "layer_norm1", x, eps);
        Tensor Proj(string n, Tensor input) => F.Linear(input, w[p + n + ".weight"], w[p + n + ".bias"]);
        Tensor Heads(Tensor y) => y.View(b, t, heads, dh).Permute(0, 2, 1, 3);       // [B, H, T, Dh]
        var q = Heads(Proj("self_attn.q_proj", h));
        var k = Heads(Proj("self_attn.k_proj", h));
        var v = Heads(Proj("self_attn.v_proj", h));
        var scores = q.MatMul(k.MT) * (1.0 / Math.Sqrt(dh));                            // [B, H, T, T]
        if (causal)
        {
            var future = Tensor.Ones([t, t]).Triu(1).Gt(0.5);                           // true above the diagonal
            scores = scores.MaskedFill(future, double.NegativeInfinity);
        }
        var probs = scores.Exp() / scores.Exp().Sum(-1, keepDim: true);
        var mixed = probs.MatMul(v).Permute(0, 2, 1, 3).Reshape(b, t, width);
        x = x + Proj("self_attn.out_proj", mixed);

        h = Proj("mlp.fc1", Norm(w, p + "layer_norm2", x, eps));
        h = act switch
        {
            "gelu" => h * 0.5 * ((h * (1 / Math.Sqrt(2))).Erf() + 1),
            "quick_gelu" => h * (h * 1.702).Sigmoid(),
            _ => throw new ArgumentException($"reference has no activation '{act}'"),
        };
        return x + Proj("mlp.fc2", h);
    }
}
