using System.Diagnostics;
using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// What data parallelism adds to a step, in one object the step calls: the shard the losses see
/// while a forward runs (<see cref="Shard"/>), the gradient average after the last backward, the
/// average of the logged terms, and the state broadcast from rank 0.
///
/// <para><b>Overlap with backward.</b> The gradients are packed into flat buckets
/// (<see cref="DataParallelOptions.GradBucketMegabytes"/>, DDP's 25 MB by default), filled from the
/// last parameter backwards. With <see cref="DataParallelOptions.OverlapGradients"/> (the default) a
/// <see cref="GradientReducer"/>'s native hooks launch each bucket during the last micro-batch's
/// backward as soon as its gradients are final, as DDP does; otherwise every bucket is launched
/// together after backward. Either way the sums are scaled by 1/W.</para>
/// </summary>
internal sealed class GradientSync(ProcessGroup group, PretrainOptions options) : IDisposable
{
    private readonly long _bucketBytes = (long)(options.DataParallel.GradBucketMegabytes * (1 << 20));
    private readonly Stopwatch _communication = new();
    private GradientReducer? _reducer;

    public BatchShard Shard { get; } = new(group, options.DataParallel.LocalLoss);
    public ProcessGroup Group => group;

    /// <summary>Time in the step's collectives: gradient and term averages plus the forward's gathers.</summary>
    public TimeSpan CommunicationTime => _communication.Elapsed + Shard.CommunicationTime;

    /// <summary>Buckets the last step launched from inside backward, of <see cref="Buckets"/> (0 without overlap).</summary>
    public int OverlappedBuckets => _reducer?.LaunchedDuringBackward ?? 0;

    /// <summary>Gradient buckets per step, once the first step has built them.</summary>
    public int Buckets => _reducer?.Buckets ?? 0;

    /// <summary>Call right before the step's last backward: with overlap on, its hooks start the all-reduce.</summary>
    public void BeforeLastBackward(IReadOnlyList<Tensor> trainable)
    {
        if (!options.DataParallel.OverlapGradients) return;
        _reducer ??= new GradientReducer(group, trainable, 1.0 / group.WorldSize, _bucketBytes);
        _reducer.Arm();
    }

    /// <summary>
    /// Averages every trainable parameter's gradient over the ranks. A parameter without a gradient
    /// is left out; which parameters get one is the same on every rank (the model's structure decides it).
    /// </summary>
    public void AverageGradients(IReadOnlyList<Tensor> trainable)
    {
        if (_reducer is not null)
        {
            Timed(_reducer.Finish);
            return;
        }
        var grads = new List<Tensor>(trainable.Count);
        try
        {
            foreach (var p in trainable)
                if (p.Grad is { } g) grads.Add(g);
            Timed(() => group.AllReduce(grads, ReduceOp.Sum, 1.0 / group.WorldSize, bucketBytes: _bucketBytes));
        }
        finally
        {
            foreach (var g in grads) g.Dispose();
        }
    }

    /// <summary>Replaces each logged term by its mean over the ranks, so rank 0 logs (and guards on) the global value.</summary>
    public void AverageTerms(Dictionary<string, Tensor> terms)
    {
        if (terms.Count == 0) return;
        var names = terms.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        Timed(() => group.AllReduce(names.Select(n => terms[n]).ToList(), ReduceOp.Sum, 1.0 / group.WorldSize));
    }

    /// <summary>The largest of every rank's value (the caption length a trimmed batch keeps, say).</summary>
    public long Max(long value)
    {
        using var t = Tensor.FromArray([value]);
        Timed(() => group.AllReduce(t, ReduceOp.Max));
        return t.ItemInt64();
    }

    /// <summary>Rank 0's values of every parameter and buffer (teacher included) and the AdamW moments, written over this rank's.</summary>
    public void BroadcastState(TrainingState state)
    {
        var tensors = state.Method.StateDict().Values.ToList();
        var moments = state.Optimizer.StateDict();
        moments.Remove("step", out var step);
        step?.Dispose();
        tensors.AddRange(moments.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Value));
        try
        {
            Timed(() => group.Broadcast(tensors, root: 0, bucketBytes: _bucketBytes));
        }
        finally
        {
            foreach (var t in tensors) t.Dispose();
        }
    }

    public void Dispose() => _reducer?.Dispose();

    private void Timed(Action collective)
    {
        _communication.Start();
        try
        {
            collective();
        }
        finally
        {
            _communication.Stop();
        }
    }
}
