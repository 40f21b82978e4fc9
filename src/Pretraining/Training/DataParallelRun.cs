using MLNetClip.Data.Datasets;
using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// How one run's ranks agree before and between steps: the run's length (rank 0 resolves it),
/// the checkpoint to resume from, the starting state (rank 0's, broadcast), and an equal number of
/// batches per epoch. With no group every member is the single-process identity.
///
/// <para><b>Data.</b> Each rank reads its share through the loader (rank r takes sample positions
/// r, r + W, … of the epoch's permutation), and batch t of rank r holds global rows r + W·j of the
/// single-process batch t of W·b rows: the union is exactly one process's batch. Full global
/// batches only, so every rank runs the same number of steps per epoch.</para>
///
/// <para><b>Resume with another world size.</b> A checkpoint records the world size W it was written
/// with and each rank's batch index k in the epoch, that is k·W·b samples of the epoch's permutation
/// used. Resuming with W' ranks starts at batch ⌈k·W / W'⌉ of the same epoch: nothing repeats; up to
/// W'·b − 1 samples of that epoch are skipped when k·W is not a multiple of W'. The per-rank batch
/// size is the option's, so the global batch (and the dynamics) follow W'.</para>
/// </summary>
internal sealed class DataParallelRun : IDisposable
{
    // Rank 0 may spend a while before the others hear from it (a minutes budget is timed first).
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(30);

    private readonly ProcessGroup? _group;
    private readonly PretrainOptions _options;

    public DataParallelRun(ProcessGroup? group, PretrainOptions options)
    {
        _group = group;
        _options = options;
        Sync = group is null ? null : new GradientSync(group, options);
    }

    public int Rank => _group?.Rank ?? 0;
    public int WorldSize => _group?.WorldSize ?? 1;
    public bool IsMain => Rank == 0;
    public GradientSync? Sync { get; }

    /// <summary>Rank 0's resolved steps and warm-up, sent to every rank (which do not read the run folder).</summary>
    public RunConfig AgreeOnLength(RunConfig? config, RunConfig draft)
    {
        if (_group is null) return config!;
        using var lengths = Tensor.FromArray(config is null ? new long[2] : new[] { config.TotalSteps, config.WarmupSteps });
        _group.Broadcast(lengths, root: 0, timeout: SetupTimeout);
        var values = lengths.ToArray<long>();
        return config ?? draft with { TotalSteps = values[0], WarmupSteps = values[1] };
    }

    /// <summary>
    /// The checkpoint rank 0 resumes from; every rank loads the same one from the run folder, so the
    /// folder must be shared (or copied to each machine). A rank that sees another newest step stops.
    /// </summary>
    public (long Step, string Path)? AgreeOnCheckpoint((long Step, string Path)? latest)
    {
        if (_group is null) return latest;
        using var step = Tensor.FromArray([latest?.Step ?? -1L]);
        _group.Broadcast(step, root: 0, timeout: SetupTimeout);
        var chosen = step.ItemInt64();
        var mine = latest?.Step ?? -1;
        if (chosen != mine)
            throw new InvalidDataException(
                $"rank {Rank}: rank 0 resumes from checkpoint step {chosen} but this rank's newest is {(mine < 0 ? "none" : mine)}; " +
                "every rank must see the same run folder (a shared file system, or a copy on each machine)");
        return latest;
    }

    /// <summary>Every rank starts from rank 0's parameters, buffers and moments (at the start and after a resume).</summary>
    public void BroadcastState(TrainingState state) => Sync?.BroadcastState(state);

    /// <summary>Full global batches per epoch for indexed sources (null: unknown, or one process).</summary>
    public int? BatchesPerEpoch(IImageTextSource source) =>
        _group is not null && source is IIndexedImageTextSource indexed
            ? (int)(indexed.Count / ((long)_options.BatchSize * WorldSize))
            : null;

    /// <summary>The batch index in the epoch a run with <paramref name="newWorldSize"/> ranks resumes at (see the class remarks).</summary>
    public static int RederiveBatchInEpoch(int batchInEpoch, int oldWorldSize, int newWorldSize)
    {
        if (oldWorldSize == newWorldSize) return batchInEpoch;
        var used = (long)batchInEpoch * oldWorldSize;
        return (int)((used + newWorldSize - 1) / newWorldSize);
    }

    public void Dispose() => Sync?.Dispose();
}
