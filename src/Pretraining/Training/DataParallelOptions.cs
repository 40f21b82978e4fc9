namespace MLNetClip.Pretraining.Training;

/// <summary>
/// Options of a data-parallel run (section "dataParallel"); they matter only when WORLD_SIZE &gt; 1.
/// The batch size stays per rank (open_clip's convention): W ranks train on W·batchSize rows a step.
/// </summary>
public sealed record DataParallelOptions
{
    /// <summary>
    /// open_clip's local_loss: each rank scores its own rows against every rank's columns instead of
    /// the whole W·B × W·B matrix. Same gradients (features are gathered with their gradients either
    /// way), W times fewer logits per rank. Default off (every rank scores the global batch).
    /// </summary>
    public bool LocalLoss { get; init; }

    /// <summary>Seconds any collective (and the rendezvous) may wait before the run stops naming it. Default 60.</summary>
    public double TimeoutSeconds { get; init; } = 60;

    /// <summary>Size of the flat gradient buckets, in MiB, one all-reduce each. Default 25 (DDP's).</summary>
    public double GradBucketMegabytes { get; init; } = 25;

    /// <summary>
    /// Launch each gradient bucket's all-reduce from inside backward, as soon as its gradients are
    /// final (DDP's overlap), rather than all of them after backward. Same result either way. Default on.
    /// </summary>
    public bool OverlapGradients { get; init; } = true;

    public void Validate()
    {
        if (!(TimeoutSeconds > 0 && TimeoutSeconds <= 86400))
            throw new PretrainOptionException("dataParallel.timeoutSeconds", $"option 'dataParallel.timeoutSeconds' must be above 0 and at most 86400; got {TimeoutSeconds}");
        if (!(GradBucketMegabytes >= 0.001 && GradBucketMegabytes <= 4096))
            throw new PretrainOptionException("dataParallel.gradBucketMegabytes", $"option 'dataParallel.gradBucketMegabytes' must be 0.001 to 4096; got {GradBucketMegabytes}");
    }
}
