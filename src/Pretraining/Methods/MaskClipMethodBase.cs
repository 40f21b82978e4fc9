using MLNetClip.Models;
using MLNetClip.Pretraining.Ema;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods.Decoders;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// What the MaskCLIP methods share. Image: masked self-distillation from an EMA teacher; the
/// student is the online image tower on a random 25% of patches plus the class token (no mask
/// tokens in the encoder), and a one-layer decoder fills the removed positions with a mask token
/// and predicts the teacher's features there. Text: BERT-style masked language modelling; 20% of
/// a caption's words are replaced by a learnable mask embedding in the online text tower, and a
/// small decoder predicts the masked words' token ids. The subclasses differ only in which image
/// view the contrastive loss sees. docs/methods.md sets each choice beside the paper's.
/// Parameter names: model.*, teacher.model.*, image_decoder.*, text_decoder.*, text_mask_token,
/// text_word_bias.
/// </summary>
public abstract class MaskClipMethodBase : PretrainingMethod
{
    /// <summary>The logged (not optimised) term holding the EMA momentum applied after this step.</summary>
    public const string EmaMomentumTerm = "EmaMomentum";

    private readonly MaskClipLoss _loss;
    private readonly MaskingStrategy _masking = PatchMasking.Random;

    protected MaskClipMethodBase(Clip model, MaskClipOptions options) : base(model)
    {
        options.Validate();
        Options = options;
        var vision = model.Options.Vision;
        var text = model.Options.Text;
        Teacher = Register("teacher", new EmaTeacher(model, options.BuildMomentumSchedule()));
        ImageDecoder = Register("image_decoder", new PatchDecoder(vision.Width, vision.Width, options.DecoderDepth,
            vision.Heads, (long)vision.GridSize * vision.GridSize, vision.Width));
        if (options.TextBranch)
        {
            TextDecoder = Register("text_decoder", new TokenDecoder(text.Width, text.Width, options.TextDecoderDepth,
                text.Heads, text.ContextLength, text.Width));
            TextMaskToken = RegisterParameter("text_mask_token", Tensor.Empty([text.Width]));
            // The word logits reuse the text tower's token table (tied, as BERT does), so the text
            // branch adds no [V, D] matrix; only this per-word bias.
            TextWordBias = RegisterParameter("text_word_bias", Tensor.Zeros([text.VocabSize]));
            using var noGrad = GradMode.NoGrad();
            TextMaskToken.Normal_(0, 0.02);
        }
        _loss = new MaskClipLoss(options.SmoothL1Beta, options.DistillWeight, options.MlmWeight);
        // Decoders and the mask embedding are built on the CPU; they follow the model's device and dtype.
        To(model.LogitScale.Device, model.LogitScale.DType);
    }

    public MaskClipOptions Options { get; }
    public EmaTeacher Teacher { get; }
    public PatchDecoder ImageDecoder { get; }

    /// <summary>The text decoder, or null with the text branch off.</summary>
    public TokenDecoder? TextDecoder { get; }

    /// <summary>The learnable embedding that replaces masked caption tokens, or null with the text branch off.</summary>
    public Tensor? TextMaskToken { get; }

    /// <summary>The bias [V] of the word logits, or null with the text branch off.</summary>
    public Tensor? TextWordBias { get; }

    /// <summary>The EMA teacher follows the student once per optimiser step.</summary>
    public override void AfterStep(StepContext context) => Teacher.Update(Teacher.GetDecay(context.Step, context.TotalSteps));

    /// <summary>A fresh patch mask for the batch, drawn from the method's generator.</summary>
    protected PatchMask DrawMask(PretrainBatch batch, StepContext context)
    {
        var (rows, cols) = Model.Visual.PatchEmbed.Grid(batch.Images.Size(2), batch.Images.Size(3));
        return _masking(batch.Count, new PatchGrid(rows, cols), Options.MaskRatio, context.Generator, scores: null);
    }

    /// <summary>The student's visible-patch encoding (class token plus the K kept patches).</summary>
    protected VisionEncoding EncodeStudent(PretrainBatch batch, PatchMask mask) => Model.Visual.Encode(batch.Images, mask.VisibleIds);

    /// <summary>The decoder's prediction for every patch, against the teacher's features, scored where removed.</summary>
    protected MaskedPrediction PredictPatches(PretrainBatch batch, VisionEncoding student, PatchMask mask)
    {
        var tokens = Model.Visual.Norm.Forward(student.LastHiddenState);               // [B, 1 + K, D]
        var predicted = ImageDecoder.Forward(tokens, mask);                             // [B, N, D]
        return new MaskedPrediction(predicted, TeacherPatchFeatures(batch.Images), mask.Mask);
    }

    /// <summary>The text branch's word logits at the masked caption positions, or null with the branch off.</summary>
    protected MaskedWords? PredictMaskedWords(PretrainBatch batch, StepContext context)
    {
        if (TextDecoder is null) return null;
        var ids = batch.TokenIds;
        var masked = TextMasking.Random(ids, Model.Text.EndTokenIndex(ids), Options.TextMaskRatio, context.Generator); // [B, L]
        using var student = Model.Text.Encode(ids, replaced: masked, replacement: TextMaskToken);
        var hidden = TextDecoder.Forward(student.LastHiddenState);                      // [B, L, Dt]
        // Logits over the vocabulary only where a word is masked: the K highest mask values of a
        // row are all its masked words (at most K, see WordSlots) and then unmasked filler.
        var (weights, slots) = masked.To(ScalarType.Float32).TopK(WordSlots(ids.Size(1)), dim: 1); // [B, K]
        var picked = hidden.Gather(1, slots.Unsqueeze(-1).Expand(slots.Size(0), slots.Size(1), hidden.Size(2))); // [B, K, Dt]
        var logits = F.Linear(picked, Model.Text.TokenEmbed.Weight, TextWordBias);      // [B, K, V]
        return new MaskedWords(logits, ids.Gather(1, slots), weights);
    }

    // A caption of L tokens has at most L − 2 words (start and end are never masked), and the
    // masked count only grows with the word count, so K slots hold every caption's masked words
    // with no host read of the mask.
    private long WordSlots(long tokens) => Math.Max(1, TextMasking.MaskCount(tokens - 2, Options.TextMaskRatio));

    /// <summary>Contrastive, distillation and masked-word terms, plus the EMA momentum this step ends with (logged).</summary>
    protected LossTerms Loss(Tensor imageEmbedding, Tensor textEmbedding, MaskedPrediction patches, MaskedWords? words, StepContext context)
    {
        var terms = _loss.Forward(F.Normalize(imageEmbedding), F.Normalize(textEmbedding), Model.LogitScaleFactor(), patches, words);
        var momentum = Teacher.GetDecay(context.Step, context.TotalSteps);
        terms.Add(EmaMomentumTerm, Tensor.Scalar(momentum, device: context.Device));
        return terms;
    }

    // The teacher's last-block patch tokens [B, N, D], per-token normalised when asked; no graph.
    private Tensor TeacherPatchFeatures(Tensor images)
    {
        using var noGrad = GradMode.NoGrad();
        using var encoding = Teacher.Model.Visual.Encode(images);
        var last = encoding.LastHiddenState;
        return Target(last.Narrow(1, 1, last.Size(1) - 1));                             // [B, N, D]
    }

    private Tensor Target(Tensor features) =>
        Options.NormalizeTargets ? F.LayerNorm(features, [features.Size(2)]) : features.View(features.Shape);
}
