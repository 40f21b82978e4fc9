using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// A pretraining method: owns the online CLIP model (registered as "model") and whatever else
/// it trains or keeps (decoders, an EMA teacher), and turns a batch into named loss terms.
/// The loop knows nothing else about it: it backpropagates <see cref="LossTerms.Total"/>, steps
/// the optimiser over the trainable parameters, then calls <see cref="AfterStep"/>.
/// Its state dict is the checkpoint's model part; <see cref="Model"/> alone is exported.
/// </summary>
public abstract class PretrainingMethod : Module
{
    protected PretrainingMethod(Clip model) => Model = Register("model", model);

    /// <summary>The name used by <c>pretrain --method</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The online CLIP model, the part a run exports.</summary>
    public Clip Model { get; }

    /// <summary>The loss terms for one batch; "*Loss" terms are optimised, the rest logged.</summary>
    public abstract LossTerms Forward(PretrainBatch batch, StepContext context);

    /// <summary>
    /// Called once after each optimiser step, before the loop advances <see cref="StepContext.Step"/>
    /// (so it still names the step just taken); an EMA teacher follows the student here.
    /// </summary>
    public virtual void AfterStep(StepContext context) { }

    /// <summary>
    /// Writes whatever else the method exports into the model folder, after <see cref="Model"/> is
    /// saved there (a VQ-KD tokenizer's codebook); most methods export nothing more.
    /// </summary>
    public virtual void ExportExtras(string modelDirectory) { }
}
