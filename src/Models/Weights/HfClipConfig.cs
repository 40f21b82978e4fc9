using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// Hugging Face CLIPConfig (config.json) ↔ <see cref="ClipOptions"/>. Absent keys take the
/// defaults of transformers' CLIPTextConfig / CLIPVisionConfig.
/// </summary>
public static class HfClipConfig
{
    // transformers treats text eos_token_id == 2 as "pool at argmax of the ids" (the legacy
    // behaviour of configs converted from OpenAI); any other id pools at its first occurrence.
    private const long LegacyArgMaxEos = 2;

    public static ClipOptions Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
        if (root is not JsonObject obj) throw new InvalidDataException($"{path}: expected a JSON object at the top level");
        var reader = new Reader(path, obj);
        var text = reader.Section("text_config");
        var vision = reader.Section("vision_config");
        var options = new ClipOptions
        {
            EmbedDim = reader.Int(obj, "projection_dim", 512),
            LogitScaleInit = reader.Double(obj, "logit_scale_init_value", 2.6592),
            Text = ReadText(reader, text),
            Vision = ReadVision(reader, vision),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{path}: the configuration is not a valid CLIP model: {e.Message}", e);
        }
        return options;
    }

    private static TextTowerOptions ReadText(Reader r, JsonObject t)
    {
        var width = r.Int(t, "hidden_size", 512);
        var vocab = r.Int(t, "vocab_size", 49408);
        var eos = r.Long(t, "eos_token_id", 49407);
        var argMax = eos == LegacyArgMaxEos;
        return new TextTowerOptions
        {
            VocabSize = vocab,
            Width = width,
            MlpRatio = r.Int(t, "intermediate_size", 2048) / (double)width,
            Layers = r.Int(t, "num_hidden_layers", 12),
            Heads = r.Int(t, "num_attention_heads", 8),
            ContextLength = r.Int(t, "max_position_embeddings", 77),
            Activation = r.Activation(t, "hidden_act", "quick_gelu"),
            LayerNormEps = r.Double(t, "layer_norm_eps", 1e-5),
            Pooling = argMax ? TextPooling.ArgMax : TextPooling.FirstEos,
            EosTokenId = argMax ? Math.Min(49407, vocab - 1) : eos,
        };
    }

    private static VisionTowerOptions ReadVision(Reader r, JsonObject v)
    {
        var width = r.Int(v, "hidden_size", 768);
        return new VisionTowerOptions
        {
            Channels = r.Int(v, "num_channels", 3),
            ImageSize = r.Int(v, "image_size", 224),
            PatchSize = r.Int(v, "patch_size", 32),
            Width = width,
            MlpRatio = r.Int(v, "intermediate_size", 3072) / (double)width,
            Layers = r.Int(v, "num_hidden_layers", 12),
            Heads = r.Int(v, "num_attention_heads", 12),
            Activation = r.Activation(v, "hidden_act", "quick_gelu"),
            LayerNormEps = r.Double(v, "layer_norm_eps", 1e-5),
        };
    }

    /// <summary>Writes a config.json that transformers' CLIPModel.from_pretrained accepts.</summary>
    public static void Write(string path, ClipOptions options)
    {
        if (options.Vision.Pooling != VisionPooling.Cls)
            throw new NotSupportedException($"Hugging Face CLIPVisionModel pools the class token; a {options.Vision.Pooling}-pooled vision tower has no Hugging Face layout");
        var t = options.Text;
        var v = options.Vision;
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray("CLIPModel"),
            ["model_type"] = "clip",
            ["projection_dim"] = options.EmbedDim,
            ["logit_scale_init_value"] = options.LogitScaleInit,
            ["initializer_factor"] = 1.0,
            ["text_config"] = new JsonObject
            {
                ["model_type"] = "clip_text_model",
                ["vocab_size"] = t.VocabSize,
                ["hidden_size"] = t.Width,
                ["intermediate_size"] = t.MlpHidden,
                ["num_hidden_layers"] = t.Layers,
                ["num_attention_heads"] = t.Heads,
                ["max_position_embeddings"] = t.ContextLength,
                ["hidden_act"] = ActivationName(t.Activation),
                ["layer_norm_eps"] = t.LayerNormEps,
                ["eos_token_id"] = t.Pooling == TextPooling.ArgMax ? LegacyArgMaxEos : t.EosTokenId,
                ["projection_dim"] = options.EmbedDim,
                ["attention_dropout"] = 0.0,
            },
            ["vision_config"] = new JsonObject
            {
                ["model_type"] = "clip_vision_model",
                ["num_channels"] = v.Channels,
                ["image_size"] = v.ImageSize,
                ["patch_size"] = v.PatchSize,
                ["hidden_size"] = v.Width,
                ["intermediate_size"] = v.MlpHidden,
                ["num_hidden_layers"] = v.Layers,
                ["num_attention_heads"] = v.Heads,
                ["hidden_act"] = ActivationName(v.Activation),
                ["layer_norm_eps"] = v.LayerNormEps,
                ["projection_dim"] = options.EmbedDim,
                ["attention_dropout"] = 0.0,
            },
        };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", new UTF8Encoding(false));
    }

    private static string ActivationName(Activation a) => a switch
    {
        Activation.QuickGelu => "quick_gelu",
        Activation.Gelu => "gelu",
        Activation.GeluTanh => "gelu_pytorch_tanh",
        Activation.Relu => "relu",
        Activation.Silu => "silu",
        _ => throw new NotSupportedException($"activation {a} has no Hugging Face name"),
    };

    /// <summary>Typed reads that name the file and key when a value has the wrong type.</summary>
    private sealed class Reader(string path, JsonObject root)
    {
        public JsonObject Section(string key) => root[key] switch
        {
            null => new JsonObject(),
            JsonObject o => o,
            _ => throw Bad(key, "an object"),
        };

        public int Int(JsonObject o, string key, int fallback) => (int)Long(o, key, fallback);

        public long Long(JsonObject o, string key, long fallback)
        {
            if (o[key] is not JsonValue value) return o[key] is null ? fallback : throw Bad(key, "an integer");
            return value.TryGetValue<long>(out var l) ? l
                : value.TryGetValue<double>(out var d) && d == Math.Floor(d) ? (long)d
                : throw Bad(key, "an integer");
        }

        public double Double(JsonObject o, string key, double fallback)
        {
            if (o[key] is not JsonValue value) return o[key] is null ? fallback : throw Bad(key, "a number");
            return value.TryGetValue<double>(out var d) ? d : throw Bad(key, "a number");
        }

        public Activation Activation(JsonObject o, string key, string fallback)
        {
            var name = o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : o[key] is null ? fallback : throw Bad(key, "a string");
            return name switch
            {
                "quick_gelu" => Torch.Nn.Activation.QuickGelu,
                "gelu" => Torch.Nn.Activation.Gelu,
                "gelu_new" or "gelu_pytorch_tanh" => Torch.Nn.Activation.GeluTanh,
                "relu" => Torch.Nn.Activation.Relu,
                "silu" or "swish" => Torch.Nn.Activation.Silu,
                _ => throw new InvalidDataException($"{path}: {key} '{name}' is not a supported activation (quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, relu, silu)"),
            };
        }

        private InvalidDataException Bad(string key, string what) =>
            new(string.Create(CultureInfo.InvariantCulture, $"{path}: '{key}' must be {what}"));
    }
}
