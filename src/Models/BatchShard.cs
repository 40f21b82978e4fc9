using System.Diagnostics;
using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;

namespace MLNetClip.Models;

/// <summary>
/// The batch a data-parallel rank computes is its shard of one global batch of W·b rows: local
/// row j is global row <c>rank + W·j</c> (the loader deals sample positions out round-robin, see
/// SampleChunks), so W ranks with b rows each compute exactly what one process computes on the
/// W·b rows. While a shard is in use (a thread-local mode, like <see cref="GradMode"/>, set by
/// the training step around a forward) the losses and mask draws below see the global batch:
/// <list type="bullet">
/// <item>the contrastive loss gathers every rank's features with their gradients
/// (<see cref="GatherWithGrad"/>), either scoring all W·b rows on every rank (open_clip's
/// gather_with_grad) or only this rank's b rows against all W·b columns (local_loss);</item>
/// <item>masked means divide by the global masked count (<see cref="GlobalShareOf"/>), so the
/// averaged gradients equal the single-process gradient even when ranks mask different counts;</item>
/// <item>mask noise is one draw for the global batch from the method's generator (the same state on
/// every rank), of which this rank takes its rows (<see cref="Rand"/>): each rank masks its own
/// samples, and a sample gets the mask it would get in one process.</item>
/// </list>
/// Outside a shard (one process) every member falls back to the single-process computation.
/// </summary>
public sealed class BatchShard
{
    [ThreadStatic] private static BatchShard? _current;

    private readonly Stopwatch _communication = new();

    public BatchShard(ProcessGroup group, bool localLoss)
    {
        Group = group;
        LocalLoss = localLoss;
    }

    public ProcessGroup Group { get; }
    public int Rank => Group.Rank;
    public int WorldSize => Group.WorldSize;

    /// <summary>open_clip's local_loss: score this rank's rows against every rank's columns (less compute and memory).</summary>
    public bool LocalLoss { get; }

    /// <summary>Time this thread spent waiting in the forward-pass collectives (gathers, counts).</summary>
    public TimeSpan CommunicationTime => _communication.Elapsed;

    /// <summary>The shard in use on this thread, or null in a single-process run.</summary>
    public static BatchShard? Current => _current;

    /// <summary>Makes <paramref name="shard"/> current until the returned scope is disposed (null: single process).</summary>
    public static IDisposable Use(BatchShard? shard)
    {
        var previous = _current;
        _current = shard;
        return new Restore(previous);
    }

    /// <summary>Every rank's rows in rank order [W·b, …]; backward sums each rank's gradient for this rank's rows.</summary>
    public Tensor GatherWithGrad(Tensor local)
    {
        _communication.Start();
        try
        {
            return Group.AllGatherWithGrad(local);
        }
        finally
        {
            _communication.Stop();
        }
    }

    /// <summary>
    /// The divisor that turns this rank's masked sum into its share of the global mean: the global
    /// count over W (clamped to ≥ 1/W as the single-process mean clamps its count to ≥ 1). No graph.
    /// </summary>
    public Tensor GlobalShareOf(Tensor localCount)
    {
        using var scope = DisposeScope.Begin();
        var total = localCount.Detach().To(ScalarType.Float64).Clone().View(1);         // [1]
        _communication.Start();
        try
        {
            Group.AllReduce(total);
        }
        finally
        {
            _communication.Stop();
        }
        return (total.ClampMin(1).View([]) / WorldSize).To(localCount.DType).MoveToOuterScope();
    }

    /// <summary>
    /// Uniform noise [b, …] for this rank's rows: outside a shard a plain draw; inside, one draw of
    /// [W·b, …] from <paramref name="generator"/> of which this rank keeps rows rank, rank + W, ….
    /// </summary>
    public static Tensor Rand(long[] shape, Generator generator)
    {
        if (_current is not { } shard) return Tensor.Rand(shape, generator, device: generator.Device);
        using var scope = DisposeScope.Begin();
        var rows = shape[0];
        var global = (long[])shape.Clone();
        global[0] = rows * shard.WorldSize;
        var interleaved = new long[shape.Length + 1];
        interleaved[0] = rows;
        interleaved[1] = shard.WorldSize;
        Array.Copy(shape, 1, interleaved, 2, shape.Length - 1);
        var all = Tensor.Rand(global, generator, device: generator.Device);            // [W·b, …]
        return all.View(interleaved).Select(1, shard.Rank).Contiguous().MoveToOuterScope(); // [b, …]
    }

    /// <summary>Masked sum over count, the global mean's share on a rank, the plain mean in one process.</summary>
    public static Tensor MaskedMean(Tensor sum, Tensor count) =>
        _current is { } shard ? sum / shard.GlobalShareOf(count) : sum / count.ClampMin(1);

    private sealed class Restore(BatchShard? previous) : IDisposable
    {
        public void Dispose() => _current = previous;
    }
}
