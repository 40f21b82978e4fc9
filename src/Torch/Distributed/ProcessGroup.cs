using System.Runtime.InteropServices;
using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch.Distributed;

/// <summary>The reduction an all-reduce applies across ranks (values match the native ABI).</summary>
public enum ReduceOp
{
    Sum = 0,
    Max = 1,
    Min = 2,
    Product = 3,
}

/// <summary>The c10d backend: gloo for CPU tensors, NCCL for CUDA tensors.</summary>
public enum DistributedBackend
{
    Gloo = 0,
    Nccl = 1,
}

/// <summary>
/// A c10d process group in libtorch (torch.distributed's engine, not a protocol of our own):
/// rendezvous through a TCPStore hosted by rank 0, then gloo or NCCL collectives. Every rank
/// must call the same collectives in the same order. Each call waits at most its timeout
/// (the group's by default) and otherwise throws a <see cref="TorchException"/>, so a dead or
/// stuck peer ends the caller instead of hanging it.
/// </summary>
public sealed class ProcessGroup : IDisposable
{
    /// <summary>Tensors are packed into flat buckets of about this size for one collective each (DDP's default is 25 MB).</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private IntPtr _handle;
    private bool _failed;
    // The store's client is one socket; the roll call's thread and the caller take turns on it.
    private readonly object _store = new();
    private RollCall? _rollCall;

    private ProcessGroup(IntPtr handle, int rank, int worldSize, TimeSpan timeout, DistributedBackend backend)
    {
        _handle = handle;
        Rank = rank;
        WorldSize = worldSize;
        Timeout = timeout;
        Backend = backend;
    }

    ~ProcessGroup() => Release();

    public int Rank { get; }
    public int WorldSize { get; }
    /// <summary>The default wait of every collective and of the rendezvous.</summary>
    public TimeSpan Timeout { get; }
    public DistributedBackend Backend { get; }

    /// <summary>Whether this native build has gloo / NCCL process groups.</summary>
    public static bool GlooAvailable => N.mlc_dist_has_gloo() == 1;
    public static bool NcclAvailable => N.mlc_dist_has_nccl() == 1;

    /// <summary>
    /// Joins the group: blocks until all <paramref name="worldSize"/> ranks have reached the store
    /// at <paramref name="host"/>:<paramref name="port"/> or <paramref name="timeout"/> passes.
    /// <paramref name="glooBind"/>: "" binds gloo to this machine's hostname, "if:NAME" to a network
    /// interface, anything else to that address (127.0.0.1 for single-machine runs).
    /// </summary>
    public static ProcessGroup Create(string host, int port, int rank, int worldSize, TimeSpan timeout,
        DistributedBackend backend = DistributedBackend.Gloo, string glooBind = "")
    {
        var hostPtr = Marshal.StringToCoTaskMemUTF8(host);
        var bindPtr = Marshal.StringToCoTaskMemUTF8(glooBind);
        try
        {
            var h = N.mlc_dist_init(hostPtr, port, rank, worldSize, (int)backend, bindPtr, Milliseconds(timeout));
            if (h == IntPtr.Zero) throw TorchException.FromNative();
            var group = new ProcessGroup(h, rank, worldSize, timeout, backend);
            if (worldSize > 2) group._rollCall = new RollCall(group);
            return group;
        }
        finally
        {
            Marshal.FreeCoTaskMem(hostPtr);
            Marshal.FreeCoTaskMem(bindPtr);
        }
    }

    /// <summary>Reduces each tensor in place across ranks, then multiplies it by <paramref name="scale"/> (1/W averages).</summary>
    public unsafe void AllReduce(IReadOnlyList<Tensor> tensors, ReduceOp op = ReduceOp.Sum, double scale = 1.0,
        TimeSpan? timeout = null, long bucketBytes = DefaultBucketBytes)
    {
        var handles = Handles(tensors);
        fixed (IntPtr* p = handles)
            Check(N.mlc_dist_all_reduce(Handle, p, handles.Length, (int)op, scale, bucketBytes, Milliseconds(timeout ?? Timeout)));
        GC.KeepAlive(tensors);
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum, double scale = 1.0, TimeSpan? timeout = null) =>
        AllReduce([tensor], op, scale, timeout);

    /// <summary>Overwrites each tensor in place with <paramref name="root"/>'s values.</summary>
    public unsafe void Broadcast(IReadOnlyList<Tensor> tensors, int root = 0, TimeSpan? timeout = null, long bucketBytes = DefaultBucketBytes)
    {
        var handles = Handles(tensors);
        fixed (IntPtr* p = handles)
            Check(N.mlc_dist_broadcast(Handle, p, handles.Length, root, bucketBytes, Milliseconds(timeout ?? Timeout)));
        GC.KeepAlive(tensors);
    }

    public void Broadcast(Tensor tensor, int root = 0, TimeSpan? timeout = null) => Broadcast([tensor], root, timeout);

    /// <summary>Every rank's <paramref name="input"/> (same shape everywhere) concatenated along dim 0 in rank order, without history.</summary>
    public Tensor AllGather(Tensor input, TimeSpan? timeout = null) =>
        Wrap(N.mlc_dist_all_gather(Handle, input.Handle, Milliseconds(timeout ?? Timeout)), input);

    /// <summary>
    /// The same gather, differentiable (torch.distributed.nn.all_gather): backward sums the gradient
    /// for this rank's rows over every rank. Every rank must then run backward.
    /// </summary>
    public Tensor AllGatherWithGrad(Tensor input, TimeSpan? timeout = null) =>
        Wrap(N.mlc_dist_all_gather_with_grad(Handle, input.Handle, Milliseconds(timeout ?? Timeout)), input);

    public void Barrier(TimeSpan? timeout = null) => Check(N.mlc_dist_barrier(Handle, Milliseconds(timeout ?? Timeout)));

    /// <summary>
    /// After a failed collective: the other ranks that did not answer a roll call within
    /// <paramref name="wait"/>, that is, the dead ones; null when the rendezvous store is gone
    /// (rank 0, its host, is dead) or the group has only 2 ranks (the peer is the other one).
    /// </summary>
    public IReadOnlyList<int>? SilentRanks(TimeSpan wait) => _rollCall?.Silent(wait);

    /// <summary>Sets a key in the rendezvous store (hosted by rank 0); false when the store cannot be reached.</summary>
    public bool TrySetNote(string key, string value)
    {
        var k = Marshal.StringToCoTaskMemUTF8(key);
        var v = Marshal.StringToCoTaskMemUTF8(value);
        try
        {
            int set;
            lock (_store) set = N.mlc_dist_store_set(Handle, k, v);
            if (set == 1) return true;
            _ = TorchException.FromNative();   // clear the error: an unreachable store is an answer here
            return false;
        }
        finally
        {
            Marshal.FreeCoTaskMem(k);
            Marshal.FreeCoTaskMem(v);
        }
    }

    /// <summary>Whether the rendezvous store holds the key, without waiting; null when the store cannot be reached.</summary>
    public bool? HasNote(string key)
    {
        var k = Marshal.StringToCoTaskMemUTF8(key);
        try
        {
            int found;
            lock (_store) found = N.mlc_dist_store_check(Handle, k);
            if (found >= 0) return found == 1;
            _ = TorchException.FromNative();
            return null;
        }
        finally
        {
            Marshal.FreeCoTaskMem(k);
        }
    }

    /// <summary>
    /// Leaves the group. After a failed collective the group's transfer threads may still be blocked
    /// on a dead peer until the group timeout; the group is then abandoned rather than joined, so
    /// the process can exit at once.
    /// </summary>
    public void Dispose()
    {
        _rollCall?.Dispose();
        _rollCall = null;
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) N.mlc_dist_free(h, _failed ? 1 : 0);
    }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(ProcessGroup));

    private void Check(int status)
    {
        if (status != 0) return;
        throw Failed();
    }

    /// <summary>Marks the group as failed (so Dispose abandons it) and returns the native error.</summary>
    internal TorchException Failed()
    {
        _failed = true;
        return TorchException.FromNative();
    }

    private Tensor Wrap(IntPtr h, Tensor input)
    {
        GC.KeepAlive(input);
        if (h != IntPtr.Zero) return Tensor.Wrap(h);
        _failed = true;
        throw TorchException.FromNative();
    }

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle;
        return handles;
    }

    internal static long Milliseconds(TimeSpan t) =>
        t > TimeSpan.Zero ? (long)Math.Ceiling(t.TotalMilliseconds) : throw new ArgumentOutOfRangeException(nameof(t), t, "a collective timeout must be > 0");
}
