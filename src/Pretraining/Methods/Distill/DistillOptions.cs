using MLNetClip.Pretraining.Masking;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// Options of the masked-image-modelling methods that learn from a frozen CLIP teacher
/// (maskdistill, milan, maskalign, vqkd, beitv2), the config section <c>"distill": { … }</c>.
/// A null value takes the method's own default (its paper's; docs/methods.md lists them).
/// </summary>
public sealed record DistillOptions
{
    /// <summary>
    /// The teacher: a Hugging Face CLIP folder (config.json + model.safetensors) or a pretraining
    /// run's <c>model/</c> folder (the run folder works too). Required by every method here.
    /// </summary>
    public string? Teacher { get; init; }

    /// <summary>beitv2 only: the <c>pretrain --method vqkd</c> run (or its model/ folder) whose tokenizer gives the code ids.</summary>
    public string? Tokenizer { get; init; }

    /// <summary>Share of patches masked, in (0, 1); null = the method's (maskdistill 0.4, milan 0.75, maskalign 0.7, beitv2 0.4).</summary>
    public double? MaskRatio { get; init; }

    /// <summary>Masking strategy by name (random, block, attentive, sampled, …); null = the method's.</summary>
    public string? Masking { get; init; }

    /// <summary>Smooth-L1's β (maskdistill, maskalign). Default 1 (PyTorch's, which both published codes use).</summary>
    public double SmoothL1Beta { get; init; } = 1.0;

    /// <summary>maskalign: how many of the top teacher layers are aligned; clipped to the shallower tower. Default 5 (the paper's top-5).</summary>
    public int TopLayers { get; init; } = 5;

    /// <summary>milan: prompting-decoder blocks. Default 2 (the paper uses 8 at width 512 for ViT-B; our towers are far smaller).</summary>
    public int DecoderDepth { get; init; } = 2;

    /// <summary>vqkd: codebook entries; null = 8192 (the paper's) for ViT-B and up, 512 for the smaller presets.</summary>
    public int? CodebookSize { get; init; }

    /// <summary>vqkd: codebook vector width. Default 32 (the paper's).</summary>
    public int CodebookDim { get; init; } = 32;

    /// <summary>vqkd: EMA decay of the code updates, in [0, 1). Default 0.99 (the paper's).</summary>
    public double CodebookDecay { get; init; } = 0.99;

    /// <summary>vqkd: after each step, a code no input chose is moved onto a random encoder output of the batch. Default true.</summary>
    public bool ReinitDeadCodes { get; init; } = true;

    /// <summary>vqkd: decoder blocks reconstructing the teacher's features. Default 3 (the paper's).</summary>
    public int VqkdDecoderDepth { get; init; } = 3;

    /// <summary>beitv2: class-token pretraining (a 2-block head on the final class token and a middle layer's patches). Default false.</summary>
    public bool ClassTokenPretraining { get; init; }

    /// <summary>Throws naming the first option out of range (as "distill.name") and what it allows.</summary>
    public void Validate()
    {
        Require(MaskRatio is null or (> 0 and < 1), "maskRatio", MaskRatio, "in (0, 1) or null (the method's)");
        Require(Masking is null || MaskingStrategies.Names.Contains(Masking, StringComparer.OrdinalIgnoreCase), "masking", Masking,
            $"one of {string.Join(", ", MaskingStrategies.Names)} or null (the method's)");
        Require(SmoothL1Beta > 0 && double.IsFinite(SmoothL1Beta), "smoothL1Beta", SmoothL1Beta, "above 0");
        Require(TopLayers >= 1, "topLayers", TopLayers, "1 or more");
        Require(DecoderDepth is >= 1 and <= 64, "decoderDepth", DecoderDepth, "1 to 64");
        Require(CodebookSize is null or (>= 2 and <= 1 << 20), "codebookSize", CodebookSize, "2 to 1048576 or null");
        Require(CodebookDim is >= 1 and <= 4096, "codebookDim", CodebookDim, "1 to 4096");
        Require(CodebookDecay is >= 0 and < 1, "codebookDecay", CodebookDecay, "in [0, 1)");
        Require(VqkdDecoderDepth is >= 1 and <= 64, "vqkdDecoderDepth", VqkdDecoderDepth, "1 to 64");
    }

    /// <summary>
    /// Checked before a run writes anything: the named method's teacher (or beitv2's tokenizer) is
    /// given and its folder exists. Methods outside this family need neither.
    /// </summary>
    public void CheckFolders(string method)
    {
        string? folder = method switch
        {
            "maskdistill" or "milan" or "maskalign" or "vqkd" => RequireTeacher(method),
            "beitv2" => RequireTokenizer(),
            _ => null,
        };
        if (folder is null) return;
        Validate();
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException(method == "beitv2"
                ? $"tokenizer folder '{folder}' does not exist; give the output folder of `pretrain --method vqkd`"
                : $"teacher folder '{folder}' does not exist; give a Hugging Face CLIP folder (config.json + model.safetensors) or a pretraining run's model/ folder");
    }

    /// <summary>The teacher folder, or a clear error naming the option when it was not given.</summary>
    public string RequireTeacher(string method) => Teacher is { Length: > 0 } t ? t
        : throw new ArgumentException($"method '{method}' needs a teacher: give --teacher DIR (a Hugging Face CLIP folder or a pretraining run's model/) or 'distill.teacher'");

    /// <summary>The tokenizer folder for beitv2, or a clear error naming the option when it was not given.</summary>
    public string RequireTokenizer() => Tokenizer is { Length: > 0 } t ? t
        : throw new ArgumentException("method 'beitv2' needs a VQ-KD tokenizer: give --tokenizer DIR (the output of `pretrain --method vqkd`) or 'distill.tokenizer'");

    private static void Require(bool ok, string name, object? value, string allowed)
    {
        if (!ok) throw new ArgumentOutOfRangeException("distill." + name, value, $"option 'distill.{name}' must be {allowed}; got {value ?? "null"}");
    }
}
