using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch.Distributed;

/// <summary>
/// Averages gradients over a <see cref="ProcessGroup"/> while backward is still running, as
/// PyTorch's DistributedDataParallel does: native hooks on each parameter's gradient accumulator
/// launch a bucket's all-reduce the moment its last gradient is final, so communication of the
/// last layers overlaps the computation of the first. <see cref="Arm"/> before the step's last
/// backward, <see cref="Finish"/> after it; earlier backwards (gradient accumulation) launch nothing.
/// Every rank must build it from the same parameters in the same order.
/// </summary>
public sealed class GradientReducer : IDisposable
{
    private readonly ProcessGroup _group;
    private IntPtr _handle;

    /// <param name="group">The ranks to average over.</param>
    /// <param name="parameters">Trainable leaves; held by the reducer's hooks until it is disposed.</param>
    /// <param name="scale">Multiplies the sums: 1/W averages.</param>
    /// <param name="bucketBytes">At most this many bytes per bucket (a larger parameter gets one of its own).</param>
    /// <param name="timeout">How long <see cref="Finish"/> waits for each bucket; the group's by default.</param>
    public unsafe GradientReducer(ProcessGroup group, IReadOnlyList<Tensor> parameters, double scale,
        long bucketBytes = ProcessGroup.DefaultBucketBytes, TimeSpan? timeout = null)
    {
        _group = group;
        var handles = ProcessGroup.Handles(parameters);
        fixed (IntPtr* p = handles)
            _handle = N.mlc_dist_reducer_new(group.Handle, p, handles.Length, scale, bucketBytes, ProcessGroup.Milliseconds(timeout ?? group.Timeout));
        GC.KeepAlive(parameters);
        if (_handle == IntPtr.Zero) throw TorchException.FromNative();
        Buckets = N.mlc_dist_reducer_buckets(_handle);
    }

    ~GradientReducer() => Release();

    /// <summary>How many buckets the parameters were packed into.</summary>
    public int Buckets { get; }

    /// <summary>Buckets the last <see cref="Finish"/> found already launched during backward (the overlapped ones).</summary>
    public int LaunchedDuringBackward { get; private set; }

    /// <summary>Makes the next backward launch buckets as they fill.</summary>
    public void Arm()
    {
        if (N.mlc_dist_reducer_arm(Handle) == 0) throw TorchException.FromNative();
    }

    /// <summary>
    /// Launches the buckets backward did not complete (those holding a parameter that got no
    /// gradient), waits for every bucket and writes the scaled sums into the gradients.
    /// </summary>
    public void Finish()
    {
        var launched = N.mlc_dist_reducer_finish(Handle);
        if (launched < 0) throw _group.Failed();
        LaunchedDuringBackward = (int)launched;
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) N.mlc_dist_reducer_free(h);
    }

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(GradientReducer));
}
