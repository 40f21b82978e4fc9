using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// A trained VQ-KD tokenizer, frozen, that turns images into code ids for beitv2: the encoder of a
/// <c>pretrain --method vqkd</c> run (its model/, a Hugging Face CLIPModel) plus <see cref="File"/>
/// beside it. Format of that file (version 1): safetensors with the keys head.fc1.weight/bias,
/// head.fc2.weight/bias ([d, D]) and quantizer.codebook ([C, d]), quantizer.hits ([C]); metadata
/// format = "mlnetclip-vqkd", version = "1". A student grid other than the tokenizer's is met by
/// resizing its input, as for <see cref="ClipTeacher"/>. Parameter names: model.*, head.*, quantizer.*.
/// </summary>
public sealed class VqkdTokenizer : Module
{
    public const string File = "vqkd.safetensors";
    private const string Format = "mlnetclip-vqkd";

    private VqkdTokenizer(Clip model, CodeHead head, VectorQuantizer quantizer)
    {
        Model = Register("model", model);
        Head = Register("head", head);
        Quantizer = Register("quantizer", quantizer);
        Freeze();
        base.Train(false);
    }

    public Clip Model { get; }
    public CodeHead Head { get; }
    public VectorQuantizer Quantizer { get; }

    public long CodebookSize => Quantizer.Size;

    public override Module Train(bool training = true) => base.Train(false);

    /// <summary>Code ids [B, N] for images seen on <paramref name="grid"/>; no graph.</summary>
    public Tensor Codes(Tensor images, PatchGrid grid)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = DisposeScope.Begin();
        var p = Model.Visual.Options.PatchSize;
        var input = images.Size(2) == grid.Rows * p && images.Size(3) == grid.Cols * p
            ? images : F.InterpolateBicubic(images, grid.Rows * p, grid.Cols * p);
        using var encoding = Model.Visual.Encode(input);
        var last = Model.Visual.Norm.Forward(encoding.LastHiddenState);                // [B, 1 + N, D]
        var z = Head.Forward(last.Narrow(1, 1, grid.Count));                            // [B, N, d]
        return Quantizer.Nearest(F.Normalize(z.Reshape(-1, z.Size(2)))).View(images.Size(0), grid.Count).MoveToOuterScope();
    }

    public static void SaveParts(CodeHead head, VectorQuantizer quantizer, string modelDirectory)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, t) in head.StateDict()) tensors["head." + name] = t;
        foreach (var (name, t) in quantizer.StateDict()) tensors["quantizer." + name] = t;
        try
        {
            SafeTensors.Save(Path.Combine(modelDirectory, File), tensors, new Dictionary<string, string> { ["format"] = Format, ["version"] = "1" });
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Loads the tokenizer from a vqkd run folder or its model/; anything else fails with one line naming it.</summary>
    public static VqkdTokenizer Load(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (System.IO.File.Exists(Path.Combine(full, "model", File))) full = Path.Combine(full, "model");
        var path = Path.Combine(full, File);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"tokenizer '{directory}' has no {File}: give the output folder (or its model/) of `pretrain --method vqkd`", path);
        using var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path} is not a VQ-KD tokenizer file (metadata format '{format}', expected '{Format}')");
        var codebook = file.Tensors.TryGetValue("quantizer.codebook", out var c) ? c
            : throw new InvalidDataException($"{path}: quantizer.codebook is missing");
        var fc1 = file.Tensors.TryGetValue("head.fc1.weight", out var w) ? w : throw new InvalidDataException($"{path}: head.fc1.weight is missing");
        var model = HuggingFaceClip.Load(full);
        try
        {
            var head = new CodeHead(fc1.Size(1), codebook.Size(1));
            var quantizer = new VectorQuantizer((int)codebook.Size(0), (int)codebook.Size(1), decay: 0.99, reinitDeadCodes: false);
            var tokenizer = new VqkdTokenizer(model, head, quantizer);
            head.LoadStateDict(Strip(file.Tensors, "head."));
            quantizer.LoadStateDict(Strip(file.Tensors, "quantizer."));
            if (model.Visual.Options.Width != fc1.Size(1))
                throw new InvalidDataException($"{path}: the head reads width {fc1.Size(1)} but the encoder is {model.Visual.Options.Width} wide");
            return tokenizer;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Dictionary<string, Tensor> Strip(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);
}
