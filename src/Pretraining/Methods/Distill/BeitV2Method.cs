using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// BEiT v2's second stage (Peng et al., 2022): block-wise masking of 40% of the patches, the
/// student sees every token with a mask token in the removed places, and a linear head over its
/// final patch tokens predicts each masked patch's code id from a trained <see cref="VqkdTokenizer"/>
/// (which saw the unmasked image); cross-entropy on the masked patches. With class-token
/// pretraining on, a 2-block head reads the final class token beside a middle layer's patch tokens
/// (layer ⌈3L/4⌉, BEiT v2's 9 of 12) and predicts the same codes through the same norm and head,
/// so the class token must carry what the upper layers add ("ClassTokenLoss").
/// Parameter names: model.*, tokenizer.* (frozen), mask_input.token, head, cls_head.* (with the option).
/// </summary>
public sealed class BeitV2Method : TeacherDistillMethod
{
    public const string MethodName = "beitv2";

    private readonly CodeCrossEntropyLoss _loss = new();
    private readonly CodeCrossEntropyLoss _classTokenLoss = new("ClassTokenLoss");

    public BeitV2Method(Clip model, DistillOptions options, VqkdTokenizer tokenizer)
        : base(model, options, teacher: null, defaultMaskRatio: 0.4, defaultMasking: MaskingStrategies.BlockName)
    {
        var vision = model.Visual.Options;
        Tokenizer = Register("tokenizer", tokenizer);
        MaskInput = Register("mask_input", new MaskTokenInput(vision.Width));
        Head = Register("head", new Linear(vision.Width, tokenizer.CodebookSize));
        if (options.ClassTokenPretraining)
        {
            MiddleLayer = Math.Clamp((int)Math.Ceiling(3.0 * vision.Layers / 4), 1, Math.Max(1, vision.Layers - 1));
            ClassTokenHead = Register("cls_head", new Transformer(vision.Width, 2, vision.Heads, vision.MlpRatio, vision.Activation,
                causal: false, vision.LayerNormEps));
        }
        To(model.LogitScale.Device, model.LogitScale.DType);
    }

    public override string Name => MethodName;

    public VqkdTokenizer Tokenizer { get; }
    public MaskTokenInput MaskInput { get; }
    public Linear Head { get; }

    /// <summary>The 2-block class-token head, or null with the option off.</summary>
    public Transformer? ClassTokenHead { get; }

    /// <summary>The hidden state whose patches the class-token head reads (0 with the option off).</summary>
    public int MiddleLayer { get; }

    public override LossTerms Forward(PretrainBatch batch, StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var grid = Grid(batch);
        var codes = Tokenizer.Codes(batch.Images, grid);                                // [B, N]
        using var mask = DrawMask(batch, context, scores: null);
        using var trace = MaskInput.Encode(Model.Visual, batch.Images, mask.Mask, ClassTokenHead is null ? null : [MiddleLayer]);
        var logits = Head.Forward(Patches(Model.Visual.Norm.Forward(trace.Output)));   // [B, N, C]
        var terms = _loss.Forward(logits, codes, mask.Mask);
        if (ClassTokenHead is null) return terms;
        var mixed = Tensor.Cat([trace.Output.Narrow(1, 0, 1), Patches(trace.Hidden[MiddleLayer])], 1); // [B, 1 + N, D]
        var clsLogits = Head.Forward(Patches(Model.Visual.Norm.Forward(ClassTokenHead.Forward(mixed)))); // [B, N, C]
        using var clsTerms = _classTokenLoss.Forward(clsLogits, codes, mask.Mask);
        terms.Add("ClassTokenLoss", clsTerms["ClassTokenLoss"].View([]));
        return terms;
    }
}
