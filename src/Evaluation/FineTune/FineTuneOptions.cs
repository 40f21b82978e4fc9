namespace MLNetClip.Evaluation.FineTune;

/// <summary>How the image tower and its classifier are fine-tuned. Validated by <see cref="FineTuning.Run"/> before any work.</summary>
public sealed record FineTuneOptions
{
    /// <summary>Passes over the training images; ignored when <see cref="Steps"/> is set. At least 1.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Optimiser steps in all, overriding <see cref="Epochs"/>; null to use epochs.</summary>
    public int? Steps { get; init; }

    /// <summary>Images per step, 1 to 65536.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Peak learning rate of the classifier and the top of the tower, above 0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Layer-wise decay in (0, 1]; 1 turns it off (<see cref="LayerDecay"/>). MAE uses 0.65–0.75.</summary>
    public double LayerDecay { get; init; } = 0.75;

    /// <summary>AdamW weight decay on weight matrices, 0 or more.</summary>
    public double WeightDecay { get; init; } = 0.05;

    /// <summary>Share of the steps spent warming the learning rate up linearly, in [0, 1).</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Global gradient-norm clip, above 0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Seeds the classifier's initialisation, the batch order and the crops.</summary>
    public int Seed { get; init; }

    /// <summary>Image decoders per batch; 0 means one per core.</summary>
    public int DecodeThreads { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of its range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be at least 1");
        if (Steps is < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must be at least 1");
        if (BatchSize is < 1 or > 65536) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "the batch size must be 1 to 65536");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the learning rate must be above 0");
        if (!(LayerDecay > 0 && LayerDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(LayerDecay), LayerDecay, "the layer decay must be in (0, 1]");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "the weight decay must be 0 or more");
        if (!(WarmupFraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(WarmupFraction), WarmupFraction, "the warm-up share must be in [0, 1)");
        if (!(MaxGradNorm > 0)) throw new ArgumentOutOfRangeException(nameof(MaxGradNorm), MaxGradNorm, "the gradient clip must be above 0");
        if (DecodeThreads < 0) throw new ArgumentOutOfRangeException(nameof(DecodeThreads), DecodeThreads, "decode threads must be 0 or more");
    }
}
