using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// Imports OpenAI CLIP / open_clip state dicts stored as safetensors. Their attention keeps q, k
/// and v fused in one <c>in_proj_weight</c> [3D, D] (split here, in that order), the MLP is
/// c_fc/c_proj, and both projections are stored as [D, E] matrices applied as x·P (transposed here).
/// </summary>
public static class OpenClipWeights
{
    // Keys that OpenAI's TorchScript state dicts carry besides weights.
    private static readonly HashSet<string> Extras = new(StringComparer.Ordinal) { "input_resolution", "context_length", "vocab_size" };

    /// <summary>Builds a model from <paramref name="options"/> and loads the file into it.</summary>
    public static Clip Load(string path, ClipOptions options)
    {
        var model = new Clip(options);
        try
        {
            using var file = SafeTensors.Load(path);
            LoadWeights(model, file.Tensors, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// Reads the dimensions from the tensor shapes, as OpenAI's loader does (64-wide heads in both
    /// towers). The activation cannot be seen in the weights: OpenAI's own weights need quick_gelu.
    /// </summary>
    public static ClipOptions InferOptions(string path, Activation activation)
    {
        var header = SafeTensors.ReadHeader(path);
        var shapes = header.Entries.ToDictionary(e => e.Name, e => e.Shape, StringComparer.Ordinal);
        long[] Shape(string key) => shapes.TryGetValue(key, out var s) ? s
            : throw new InvalidDataException($"{path}: '{key}' is missing; this is not an open_clip/OpenAI CLIP state dict");
        int Count(string prefix) => shapes.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.EndsWith(".ln_1.weight", StringComparison.Ordinal));

        var conv = Shape("visual.conv1.weight");                                        // [D, C, p, p]
        var grid = (int)Math.Round(Math.Sqrt(Shape("visual.positional_embedding")[0] - 1));
        var vWidth = (int)conv[0];
        var tWidth = (int)Shape("ln_final.weight")[0];
        var vocab = (int)Shape("token_embedding.weight")[0];
        return new ClipOptions
        {
            EmbedDim = (int)Shape("visual.proj")[1],
            Vision = new VisionTowerOptions
            {
                Channels = (int)conv[1],
                PatchSize = (int)conv[2],
                ImageSize = grid * (int)conv[2],
                Width = vWidth,
                Heads = vWidth / 64,
                Layers = Count("visual.transformer.resblocks."),
                MlpRatio = Shape("visual.transformer.resblocks.0.mlp.c_fc.weight")[0] / (double)vWidth,
                Activation = activation,
            },
            Text = new TextTowerOptions
            {
                VocabSize = vocab,
                Pooling = TextPooling.ArgMax,
                EosTokenId = Math.Min(49407, vocab - 1),
                ContextLength = (int)Shape("positional_embedding")[0],
                Width = tWidth,
                Heads = tWidth / 64,
                Layers = Count("transformer.resblocks."),
                MlpRatio = Shape("transformer.resblocks.0.mlp.c_fc.weight")[0] / (double)tWidth,
                Activation = activation,
            },
        };
    }

    /// <summary>Copies open_clip-named tensors into <paramref name="model"/>; every mismatch is reported in one exception.</summary>
    public static void LoadWeights(Clip model, IReadOnlyDictionary<string, Tensor> tensors, string origin)
    {
        var rules = model.NamedParameters().Select(p => Rule(p.Key, p.Value.Shape)).ToList();
        WeightImporter.Apply(model, tensors, rules, Extras.Contains, origin);
    }

    private static WeightRule Rule(string ours, long[] shape)
    {
        WeightRule Same(string source) => new(ours, source, shape);
        WeightRule Transposed(string source) => new(ours, source, [shape[1], shape[0]], t => t.MT);
        return ours switch
        {
            "logit_scale" => Same("logit_scale"),
            "visual.patch_embed.proj.weight" => Same("visual.conv1.weight"),
            "visual.cls_token" => Same("visual.class_embedding"),
            "visual.pos_embed" => Same("visual.positional_embedding"),
            "visual.head.weight" => Transposed("visual.proj"),
            "text.token_embed.weight" => Same("token_embedding.weight"),
            "text.pos_embed" => Same("positional_embedding"),
            "text.head.weight" => Transposed("text_projection"),
            _ when ours.StartsWith("visual.norm_pre.", StringComparison.Ordinal) => Same("visual.ln_pre." + After(ours, "visual.norm_pre.")),
            _ when ours.StartsWith("visual.norm.", StringComparison.Ordinal) => Same("visual.ln_post." + After(ours, "visual.norm.")),
            _ when ours.StartsWith("text.norm.", StringComparison.Ordinal) => Same("ln_final." + After(ours, "text.norm.")),
            _ when ours.StartsWith("visual.blocks.", StringComparison.Ordinal) => BlockRule(ours, "visual.transformer.resblocks.", After(ours, "visual.blocks."), shape),
            _ when ours.StartsWith("text.blocks.", StringComparison.Ordinal) => BlockRule(ours, "transformer.resblocks.", After(ours, "text.blocks."), shape),
            _ => throw new InvalidOperationException($"parameter '{ours}' has no open_clip counterpart; the rule table in {nameof(OpenClipWeights)} is out of date"),
        };
    }

    // name: "<i>.<part>", e.g. "0.attn.k_proj.bias".
    private static WeightRule BlockRule(string ours, string prefix, string name, long[] shape)
    {
        var dot = name.IndexOf('.');
        var block = prefix + name[..dot] + ".";
        var part = name[(dot + 1)..];
        WeightRule Same(string source) => new(ours, block + source, shape);
        return part switch
        {
            _ when part.StartsWith("norm1.", StringComparison.Ordinal) => Same("ln_1." + After(part, "norm1.")),
            _ when part.StartsWith("norm2.", StringComparison.Ordinal) => Same("ln_2." + After(part, "norm2.")),
            _ when part.StartsWith("mlp.fc1.", StringComparison.Ordinal) => Same("mlp.c_fc." + After(part, "mlp.fc1.")),
            _ when part.StartsWith("mlp.fc2.", StringComparison.Ordinal) => Same("mlp.c_proj." + After(part, "mlp.fc2.")),
            _ when part.StartsWith("attn.out_proj.", StringComparison.Ordinal) => Same(part),
            "attn.q_proj.weight" => FusedSlice(ours, block + "attn.in_proj_weight", 0, shape),
            "attn.k_proj.weight" => FusedSlice(ours, block + "attn.in_proj_weight", 1, shape),
            "attn.v_proj.weight" => FusedSlice(ours, block + "attn.in_proj_weight", 2, shape),
            "attn.q_proj.bias" => FusedSlice(ours, block + "attn.in_proj_bias", 0, shape),
            "attn.k_proj.bias" => FusedSlice(ours, block + "attn.in_proj_bias", 1, shape),
            "attn.v_proj.bias" => FusedSlice(ours, block + "attn.in_proj_bias", 2, shape),
            _ => throw new InvalidOperationException($"block parameter '{ours}' has no open_clip counterpart"),
        };
    }

    // nn.MultiheadAttention stacks q, k, v along dim 0 of in_proj_weight/in_proj_bias.
    private static WeightRule FusedSlice(string ours, string source, int which, long[] shape)
    {
        var fused = (long[])shape.Clone();
        fused[0] *= 3;
        var rows = shape[0];
        return new WeightRule(ours, source, fused, t => t.Narrow(0, which * rows, rows));
    }

    private static string After(string s, string prefix) => s[prefix.Length..];
}
