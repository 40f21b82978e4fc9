using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods.Decoders;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// BEiT v2's first stage, the VQ-KD tokenizer (Peng et al., 2022): the online image tower encodes
/// the full image, <see cref="CodeHead"/> maps each patch to the codebook width, the
/// <see cref="VectorQuantizer"/> snaps it to its nearest code (straight-through, EMA updates), and
/// a small transformer decoder reconstructs the teacher's projected patch features from the codes
/// under 1 − cos. The commitment term ‖sg[q] − z‖² (β = 1, BEiT v2's) keeps the encoder near its codes.
/// Logged: "CodebookUsage", the share of codes this batch used. The run's model/ holds the encoder
/// (a Hugging Face CLIPModel, as every method's) and <see cref="VqkdTokenizer.File"/> beside it
/// with the head and codebook, which beitv2 reads. Parameter names: model.*, teacher.*, head.*, quantizer.*, decoder.*.
/// </summary>
public sealed class VqkdMethod : TeacherDistillMethod
{
    public const string MethodName = "vqkd";

    private readonly FeatureCosineLoss _loss = new(scale: 1, "ReconstructionLoss");

    public VqkdMethod(Clip model, DistillOptions options, ClipTeacher teacher)
        : base(model, options, teacher, defaultMaskRatio: 0.5, defaultMasking: MaskingStrategies.RandomName)
    {
        var vision = model.Visual.Options;
        var size = options.CodebookSize ?? (vision.Width >= 768 ? 8192 : 1024);
        Head = Register("head", new CodeHead(vision.Width, options.CodebookDim));
        Quantizer = Register("quantizer", new VectorQuantizer(size, options.CodebookDim, options.CodebookDecay, options.ReinitDeadCodes));
        Decoder = Register("decoder", new TokenDecoder(options.CodebookDim, vision.Width, options.VqkdDecoderDepth, vision.Heads,
            (long)vision.GridSize * vision.GridSize, teacher.ProjectedWidth));
        To(model.LogitScale.Device, model.LogitScale.DType);
    }

    public override string Name => MethodName;

    public CodeHead Head { get; }
    public VectorQuantizer Quantizer { get; }
    public TokenDecoder Decoder { get; }

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        using var pass = Teacher!.Run(batch.Images, Grid(batch), [], projected: true);
        var target = Patches(pass.Projected!);                                          // [B, N, E]
        var ids = Encode(batch.Images, out var normalized, out var quantized);          // [B·N]
        if (Training) Quantizer.Update(normalized, ids, context.Generator);
        long b = target.Size(0), n = target.Size(1);
        var reconstructed = Decoder.Forward(quantized.View(b, n, -1));                  // [B, N, E]
        var terms = _loss.Forward(reconstructed, target);
        terms.Add("CommitmentLoss", F.Mse(normalized, quantized.Detach()));
        var used = Tensor.Zeros([Quantizer.Size], device: ids.Device).ScatterAdd(0, ids, Tensor.Ones([ids.Size(0)], device: ids.Device));
        terms.Add("CodebookUsage", used.Gt(0).To(ScalarType.Float32).Mean());
        return terms;
    }

    /// <summary>The code id of every patch [B·N] (row-major per image), and the vectors before and after quantisation [B·N, d].</summary>
    public Tensor Encode(Tensor images, out Tensor normalized, out Tensor quantized)
    {
        using var encoding = Model.Visual.Encode(images);
        var tokens = Patches(Model.Visual.Norm.Forward(encoding.LastHiddenState));     // [B, N, D]
        var z = Head.Forward(tokens);                                                   // [B, N, d]
        var (q, zn, ids) = Quantizer.Quantize(z.Reshape(-1, z.Size(2)));
        normalized = zn;
        quantized = q;
        return ids;
    }

    /// <summary>Writes the tokenizer's head and codebook beside the exported encoder.</summary>
    public override void ExportExtras(string modelDirectory) => VqkdTokenizer.SaveParts(Head, Quantizer, modelDirectory);
}
