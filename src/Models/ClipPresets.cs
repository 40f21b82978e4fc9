using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// Named model sizes. The ViT presets carry open_clip's dimensions (its ViT-B-32, ViT-B-16 and
/// ViT-L-14 configs); pass <see cref="Activation.QuickGelu"/> for OpenAI's original weights
/// (open_clip's "-quickgelu" variants). The small presets train on a CPU in minutes.
/// </summary>
public static class ClipPresets
{
    /// <summary>ViT-B/32: 224 px, 7×7 patches of 32, 12×768 vision, 12×512 text, 512-d embeddings.</summary>
    public static ClipOptions VitB32(Activation activation = Activation.Gelu) => Base(activation, patch: 32);

    /// <summary>ViT-B/16: as ViT-B/32 with 14×14 patches of 16 (149,620,737 parameters).</summary>
    public static ClipOptions VitB16(Activation activation = Activation.Gelu) => Base(activation, patch: 16);

    /// <summary>ViT-L/14: 224 px, patches of 14, 24×1024 vision, 12×768 text, 768-d embeddings.</summary>
    public static ClipOptions VitL14(Activation activation = Activation.Gelu) => new()
    {
        EmbedDim = 768,
        Vision = new() { ImageSize = 224, PatchSize = 14, Width = 1024, Layers = 24, Heads = 16, Activation = activation },
        Text = new() { Width = 768, Layers = 12, Heads = 12, Activation = activation },
    };

    /// <summary>
    /// 9.9 M parameters, 6.3 M of them the token table: 64-px images (emoji-sized) in 8×8 patches,
    /// a 6×192 vision tower and a 4×128 text tower with the full CLIP vocabulary and context.
    /// </summary>
    public static ClipOptions VitTiny(Activation activation = Activation.Gelu) => new()
    {
        EmbedDim = 128,
        Vision = new() { ImageSize = 64, PatchSize = 8, Width = 192, Layers = 6, Heads = 3, Activation = activation },
        Text = new() { Width = 128, Layers = 4, Heads = 2, Activation = activation },
    };

    /// <summary>
    /// The demo's CPU model: 32-px images in 8×8 patches of 4, a 4×128 vision tower and a 3×128 text
    /// tower with the full CLIP vocabulary and a 32-token context (emoji captions are short). At equal
    /// CPU time it took more steps than ViT-Tiny and retrieved held-out concepts better.
    /// </summary>
    public static ClipOptions VitEmoji(Activation activation = Activation.Gelu) => new()
    {
        EmbedDim = 128,
        Vision = new() { ImageSize = 32, PatchSize = 4, Width = 128, Layers = 4, Heads = 2, Activation = activation },
        Text = new() { Width = 128, Layers = 3, Heads = 2, ContextLength = 32, Activation = activation },
    };

    /// <summary>The smallest useful model (3.4 M parameters), for tests and smoke runs: 32-px images, two layers per tower.</summary>
    public static ClipOptions VitMicro(Activation activation = Activation.Gelu) => new()
    {
        EmbedDim = 64,
        Vision = new() { ImageSize = 32, PatchSize = 8, Width = 64, Layers = 2, Heads = 2, Activation = activation },
        Text = new() { Width = 64, Layers = 2, Heads = 2, Activation = activation },
    };

    /// <summary>Every preset by name, for command lines and smoke tests.</summary>
    public static IReadOnlyDictionary<string, Func<Activation, ClipOptions>> All { get; } = new Dictionary<string, Func<Activation, ClipOptions>>
    {
        ["ViT-B-32"] = VitB32,
        ["ViT-B-16"] = VitB16,
        ["ViT-L-14"] = VitL14,
        ["ViT-Tiny"] = VitTiny,
        ["ViT-Emoji"] = VitEmoji,
        ["ViT-Micro"] = VitMicro,
    };

    private static ClipOptions Base(Activation activation, int patch) => new()
    {
        EmbedDim = 512,
        Vision = new() { ImageSize = 224, PatchSize = patch, Width = 768, Layers = 12, Heads = 12, Activation = activation },
        Text = new() { Width = 512, Layers = 12, Heads = 8, Activation = activation },
    };
}
