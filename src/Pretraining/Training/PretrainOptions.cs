using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// Everything a pretraining run is configured by. The property names, camel-cased, are the keys
/// of <c>pretrain --config FILE.json</c> and of the run's resolved <c>config.json</c>; method
/// options sit in their own section (<c>"maskClip": { … }</c>). Defaults are documented on each
/// property and in docs/methods.md.
/// </summary>
public sealed record PretrainOptions
{
    /// <summary>The method's name: clip, maskclip, maskclip-efficient, aclip, aclip-efficient, flip, maskdistill, milan, maskalign, vqkd or beitv2. Default clip.</summary>
    public string Method { get; init; } = "clip";

    /// <summary>A model size from <c>ClipPresets.All</c>. Default ViT-Tiny.</summary>
    public string Preset { get; init; } = "ViT-Tiny";

    /// <summary>Optimisation steps to run; exactly one of Steps, Epochs or Minutes decides the length.</summary>
    public long? Steps { get; init; }

    /// <summary>Passes over the data (converted to steps from the data size).</summary>
    public double? Epochs { get; init; }

    /// <summary>A wall-clock budget; the step count is fixed after timing the first steps and recorded.</summary>
    public double? Minutes { get; init; }

    /// <summary>Image–caption pairs per optimisation step (over all accumulation micro-batches). Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Micro-batches whose gradients are summed before one step; BatchSize must divide by it. Default 1.</summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>Peak learning rate after warm-up. Default 5e-4.</summary>
    public double LearningRate { get; init; } = 5e-4;

    /// <summary>The floor the cosine schedule decays to. Default 0.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Linear warm-up steps; null takes 5% of the run. Default null.</summary>
    public long? WarmupSteps { get; init; }

    /// <summary>Decoupled weight decay on weight matrices (not on biases, gains, embeddings or the logit scale). Default 0.2.</summary>
    public double WeightDecay { get; init; } = 0.2;

    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam's second-moment decay; 0.98 as CLIP uses for large batches.</summary>
    public double Beta2 { get; init; } = 0.98;

    public double Eps { get; init; } = 1e-6;

    /// <summary>Global gradient-norm clip; 0 turns clipping off. Default 1.</summary>
    public double GradClipNorm { get; init; } = 1.0;

    /// <summary>Seeds initialisation, data order, augmentation and masks. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>cpu, cuda or cuda:N. Default cpu.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>libtorch intra-op threads; 0 takes every core (libtorch-dev alone would use 1). Default 0.</summary>
    public int Threads { get; init; }

    /// <summary>Loader worker threads. Default 2.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>RandomResizedCrop (open_clip's training crop, scale 0.9–1) instead of a centre crop. Default true.</summary>
    public bool RandomCrop { get; init; } = true;

    /// <summary>Trim each batch's captions to its longest one (exact for CLIP's causal text tower). Default true.</summary>
    public bool TrimText { get; init; } = true;

    /// <summary>bf16 autocast on CUDA (ignored on CPU). Default true.</summary>
    public bool Bf16 { get; init; } = true;

    /// <summary>Steps between checkpoints; 0 writes only the final one (and on Ctrl+C). Default 500.</summary>
    public long CheckpointEvery { get; init; } = 500;

    /// <summary>Checkpoints kept; older ones are deleted. Default 3.</summary>
    public int KeepCheckpoints { get; init; } = 3;

    /// <summary>Steps between metric read-backs (metrics.jsonl, the progress line). Default 10.</summary>
    public long LogEvery { get; init; } = 10;

    /// <summary>Consecutive non-finite steps after which the run stops. Default 5.</summary>
    public int MaxBadSteps { get; init; } = 5;

    /// <summary>The MaskCLIP family's options (maskclip, maskclip-efficient).</summary>
    public MaskClipOptions MaskClip { get; init; } = new();

    /// <summary>A-CLIP's options (aclip, aclip-efficient).</summary>
    public AClipOptions AClip { get; init; } = new();

    /// <summary>FLIP's options (flip).</summary>
    public FlipOptions Flip { get; init; } = new();

    /// <summary>The frozen-teacher masked-image-modelling methods' options (maskdistill, milan, maskalign, vqkd, beitv2).</summary>
    public Methods.Distill.DistillOptions Distill { get; init; } = new();

    /// <summary>Data-parallel settings (gather mode, collective timeout, gradient buckets).</summary>
    public DataParallelOptions DataParallel { get; init; } = new();

    /// <summary>
    /// Throws a <see cref="PretrainOptionException"/> naming the first option out of range (by its
    /// config key) and the allowed range. The method's own section is checked by the method.
    /// </summary>
    public void Validate()
    {
        Require(PretrainingMethods.Names.Contains(Method), "method", Method, $"one of {string.Join(", ", PretrainingMethods.Names)}");
        Require(ClipPresets.All.ContainsKey(Preset), "preset", Preset, $"one of {string.Join(", ", ClipPresets.All.Keys)}");
        var lengths = (Steps is null ? 0 : 1) + (Epochs is null ? 0 : 1) + (Minutes is null ? 0 : 1);
        if (lengths != 1)
            throw new PretrainOptionException("steps",
                $"give exactly one of the options 'steps', 'epochs' or 'minutes' (the run's length); {lengths} given");
        Require(Steps is null or >= 1, "steps", Steps, "1 or more");
        Require(Epochs is null || (Epochs > 0 && double.IsFinite(Epochs.Value)), "epochs", Epochs, "a number above 0");
        Require(Minutes is null || (Minutes > 0 && double.IsFinite(Minutes.Value)), "minutes", Minutes, "a number above 0");
        Require(BatchSize is >= 1 and <= 65536, "batchSize", BatchSize, "1 to 65536");
        Require(AccumulationSteps >= 1 && BatchSize % AccumulationSteps == 0, "accumulationSteps", AccumulationSteps,
            $"1 or more and dividing batchSize ({BatchSize})");
        Require(LearningRate >= 0 && double.IsFinite(LearningRate), "learningRate", LearningRate, "0 or more");
        Require(MinLearningRate >= 0 && MinLearningRate <= LearningRate, "minLearningRate", MinLearningRate, $"0 to learningRate ({LearningRate})");
        Require(WarmupSteps is null or >= 0, "warmupSteps", WarmupSteps, "0 or more (at most the run's steps)");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), "weightDecay", WeightDecay, "0 or more");
        Require(Beta1 is >= 0 and < 1, "beta1", Beta1, "0 to 1 (1 excluded)");
        Require(Beta2 is >= 0 and < 1, "beta2", Beta2, "0 to 1 (1 excluded)");
        Require(Eps > 0 && double.IsFinite(Eps), "eps", Eps, "above 0");
        Require(GradClipNorm >= 0 && double.IsFinite(GradClipNorm), "gradClipNorm", GradClipNorm, "0 (off) or more");
        Require(IsDevice(Device), "device", Device, "cpu, cuda or cuda:N");
        Require(Threads is >= 0 and <= 1024, "threads", Threads, "0 (every core) to 1024");
        Require(Workers is >= 1 and <= 64, "workers", Workers, "1 to 64");
        Require(CheckpointEvery >= 0, "checkpointEvery", CheckpointEvery, "0 (only at the end) or more");
        Require(KeepCheckpoints is >= 1 and <= 1000, "keepCheckpoints", KeepCheckpoints, "1 to 1000");
        Require(LogEvery >= 1, "logEvery", LogEvery, "1 or more");
        Require(MaxBadSteps >= 1, "maxBadSteps", MaxBadSteps, "1 or more");
        if (MaskClip is null) throw new PretrainOptionException("maskClip", "option 'maskClip' must be an object, not null");
        if (AClip is null) throw new PretrainOptionException("aClip", "option 'aClip' must be an object, not null");
        if (Flip is null) throw new PretrainOptionException("flip", "option 'flip' must be an object, not null");
        if (Distill is null) throw new PretrainOptionException("distill", "option 'distill' must be an object, not null");
        (DataParallel ?? throw new PretrainOptionException("dataParallel", "option 'dataParallel' must be an object, not null")).Validate();
        Distill.CheckFolders(Method);
    }

    private static bool IsDevice(string? text)
    {
        if (text is null) return false;
        try
        {
            MLNetClip.Torch.Device.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static void Require(bool ok, string key, object? value, string range)
    {
        if (!ok) throw new PretrainOptionException(key, $"option '{key}' must be {range}; got {value ?? "null"}");
    }
}

/// <summary>A pretraining option out of range; <see cref="Option"/> is its config key.</summary>
public sealed class PretrainOptionException(string option, string message) : ArgumentException(message)
{
    public string Option { get; } = option;
}
