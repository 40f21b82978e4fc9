namespace MLNetClip.Models;

/// <summary>
/// Our parameter names ↔ Hugging Face CLIPModel's. Every one of our parameters has exactly one
/// counterpart, so import and export share this single table and cannot drift apart.
/// </summary>
public static class HfClipNames
{
    /// <summary>The Hugging Face name of one of our <see cref="Clip"/> parameters.</summary>
    public static string ToHf(string ours)
    {
        var dot = ours.IndexOf('.');
        var tower = dot < 0 ? ours : ours[..dot];
        var rest = dot < 0 ? "" : ours[(dot + 1)..];
        return tower switch
        {
            "logit_scale" when rest.Length == 0 => "logit_scale",
            "visual" => Vision(rest),
            "text" => Text(rest),
            _ => throw Unknown(ours),
        } ?? throw Unknown(ours);
    }

    private static string? Vision(string name) => name switch
    {
        "patch_embed.proj.weight" => "vision_model.embeddings.patch_embedding.weight",
        "cls_token" => "vision_model.embeddings.class_embedding",
        "pos_embed" => "vision_model.embeddings.position_embedding.weight",
        "head.weight" => "visual_projection.weight",
        _ when name.StartsWith("norm_pre.", StringComparison.Ordinal) => "vision_model.pre_layrnorm." + name["norm_pre.".Length..],
        _ when name.StartsWith("norm.", StringComparison.Ordinal) => "vision_model.post_layernorm." + name["norm.".Length..],
        _ when name.StartsWith("blocks.", StringComparison.Ordinal) => Block("vision_model.encoder.layers.", name["blocks.".Length..]),
        _ => null,
    };

    private static string? Text(string name) => name switch
    {
        "token_embed.weight" => "text_model.embeddings.token_embedding.weight",
        "pos_embed" => "text_model.embeddings.position_embedding.weight",
        "head.weight" => "text_projection.weight",
        _ when name.StartsWith("norm.", StringComparison.Ordinal) => "text_model.final_layer_norm." + name["norm.".Length..],
        _ when name.StartsWith("blocks.", StringComparison.Ordinal) => Block("text_model.encoder.layers.", name["blocks.".Length..]),
        _ => null,
    };

    // "3.attn.q_proj.weight" → prefix + "3.self_attn.q_proj.weight"
    private static string? Block(string prefix, string name)
    {
        var dot = name.IndexOf('.');
        if (dot < 0) return null;
        var index = name[..dot];
        var part = name[(dot + 1)..];
        string? mapped = part switch
        {
            _ when part.StartsWith("norm1.", StringComparison.Ordinal) => "layer_norm1." + part["norm1.".Length..],
            _ when part.StartsWith("norm2.", StringComparison.Ordinal) => "layer_norm2." + part["norm2.".Length..],
            _ when part.StartsWith("attn.", StringComparison.Ordinal) => "self_attn." + part["attn.".Length..],
            _ when part.StartsWith("mlp.fc1.", StringComparison.Ordinal) || part.StartsWith("mlp.fc2.", StringComparison.Ordinal) => part,
            _ => null,
        };
        return mapped is null ? null : $"{prefix}{index}.{mapped}";
    }

    /// <summary>Tensors Hugging Face checkpoints may hold that carry no weights (older versions saved position_ids).</summary>
    public static bool IsIgnorable(string hfName) => hfName.EndsWith(".position_ids", StringComparison.Ordinal);

    private static InvalidOperationException Unknown(string ours) =>
        new($"parameter '{ours}' has no Hugging Face counterpart; the name table in {nameof(HfClipNames)} is out of date");
}
