using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Pretraining.Training;

/// <summary>Builds a method around a freshly initialised model (tests substitute their own).</summary>
public delegate PretrainingMethod MethodFactory(Clip model, PretrainOptions options);

/// <summary>
/// Everything a run changes as it goes, and so everything a checkpoint holds: the method (model,
/// teacher, decoders), the AdamW moments, the mask generator, and the counters (steps done,
/// loader position, skipped steps). The schedule is a pure function of the step.
/// </summary>
internal sealed class TrainingState : IDisposable
{
    private TrainingState(PretrainingMethod method, AdamW optimizer, CosineSchedule schedule, Generator generator, Device device, long totalSteps)
    {
        Method = method;
        Optimizer = optimizer;
        Schedule = schedule;
        Generator = generator;
        Context = new StepContext(generator, device, totalSteps);
        Trainable = method.Parameters().Where(p => p.RequiresGrad).ToList();
    }

    public PretrainingMethod Method { get; }
    public AdamW Optimizer { get; }
    public CosineSchedule Schedule { get; }
    public Generator Generator { get; }
    public StepContext Context { get; }
    public IReadOnlyList<Tensor> Trainable { get; }

    /// <summary>Optimisation steps done (applied or skipped); the next step's 0-based index.</summary>
    public long Step { get; set; }

    /// <summary>The epoch of the next batch, and how many of its batches are done.</summary>
    public int Epoch { get; set; }
    public int BatchInEpoch { get; set; }

    /// <summary>Data-parallel ranks this state trains with (1 for one process); checkpoints record it.</summary>
    public int WorldSize { get; set; } = 1;

    public long SkippedSteps { get; set; }
    public int ConsecutiveBadSteps { get; set; }

    /// <summary>
    /// A model from the preset, initialised from the global generator seeded with the run's seed
    /// (so any two runs with one seed start identical), the method around it, and AdamW over its
    /// trainable parameters with no decay on biases, gains, embeddings, tokens or the logit scale.
    /// </summary>
    public static TrainingState Create(RunConfig config, Device device, MethodFactory createMethod)
    {
        var o = config.Options;
        // Every CPU step frees and reallocates the same activations; reusing them spares the page faults (HostMemory).
        if (!device.IsCuda) HostMemory.RetainFreedBlocks();
        Generator.ManualSeed(Seeds.Initialisation(o.Seed));
        var model = new Clip(ClipPresets.All[o.Preset](Activation.Gelu));
        PretrainingMethod method;
        try
        {
            method = createMethod(model, o);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        try
        {
            method.To(device);
            var optimizer = new AdamW(ParamGroup.ForWeightDecay(method, o.WeightDecay), o.LearningRate, o.Beta1, o.Beta2, o.Eps);
            var schedule = new CosineSchedule(o.LearningRate, config.WarmupSteps, config.TotalSteps, o.MinLearningRate);
            var generator = new Generator(Seeds.Masks(o.Seed), device);
            return new TrainingState(method, optimizer, schedule, generator, device, config.TotalSteps);
        }
        catch
        {
            method.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Method.Dispose();
        Generator.Dispose();
    }
}
