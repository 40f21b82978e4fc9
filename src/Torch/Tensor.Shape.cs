using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

public sealed unsafe partial class Tensor
{
    public Tensor View(params long[] shape)
    {
        fixed (long* s = shape) return Wrap(N.mlc_view(Handle, s, shape.Length), this);
    }

    public Tensor Reshape(params long[] shape)
    {
        fixed (long* s = shape) return Wrap(N.mlc_reshape(Handle, s, shape.Length), this);
    }

    public Tensor Permute(params long[] order)
    {
        fixed (long* s = order) return Wrap(N.mlc_permute(Handle, s, order.Length), this);
    }

    public Tensor Transpose(long dim0, long dim1) => Wrap(N.mlc_transpose(Handle, dim0, dim1), this);

    /// <summary>The transpose of the last two dimensions.</summary>
    public Tensor MT => Transpose(-2, -1);

    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(N.mlc_flatten(Handle, startDim, endDim), this);
    public Tensor Unsqueeze(long dim) => Wrap(N.mlc_unsqueeze(Handle, dim), this);
    public Tensor Squeeze(long dim) => Wrap(N.mlc_squeeze(Handle, dim), this);

    public Tensor Expand(params long[] shape)
    {
        fixed (long* s = shape) return Wrap(N.mlc_expand(Handle, s, shape.Length), this);
    }

    public Tensor Repeat(params long[] repeats)
    {
        fixed (long* s = repeats) return Wrap(N.mlc_repeat(Handle, s, repeats.Length), this);
    }

    public Tensor Narrow(long dim, long start, long length) => Wrap(N.mlc_narrow(Handle, dim, start, length), this);
    public Tensor Select(long dim, long index) => Wrap(N.mlc_select(Handle, dim, index), this);

    /// <summary>Elements start, start+step, … below end along dim (end is clamped like Python slicing).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(N.mlc_slice(Handle, dim, start, end, step), this);

    public Tensor Tril(long diagonal = 0) => Wrap(N.mlc_tril(Handle, diagonal), this);
    public Tensor Triu(long diagonal = 0) => Wrap(N.mlc_triu(Handle, diagonal), this);

    public Tensor Flip(params long[] dims)
    {
        fixed (long* s = dims) return Wrap(N.mlc_flip(Handle, s, dims.Length), this);
    }

    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        var handles = tensors.Count <= 64 ? stackalloc IntPtr[tensors.Count] : new IntPtr[tensors.Count];
        for (var i = 0; i < tensors.Count; i++) handles[i] = tensors[i].Handle;
        IntPtr h;
        fixed (IntPtr* p = handles) h = stack ? N.mlc_stack(p, tensors.Count, dim) : N.mlc_cat(p, tensors.Count, dim);
        GC.KeepAlive(tensors);
        return Wrap(h);
    }

    /// <summary>Splits into pieces of <paramref name="size"/> along dim (the last may be smaller).</summary>
    public Tensor[] Split(long size, long dim = 0)
    {
        var count = (Size((int)dim) + size - 1) / Math.Max(size, 1);
        return Gather(Math.Max(count, 1), (p, cap) => N.mlc_split(Handle, size, dim, p, cap));
    }

    public Tensor[] Split(long[] sizes, long dim = 0)
    {
        fixed (long* s = sizes)
        {
            var sp = s;
            return Gather(sizes.Length, (p, cap) => N.mlc_split_sizes(Handle, sp, sizes.Length, dim, p, cap));
        }
    }

    // libtorch rejects chunks < 1 itself; the buffer just needs a valid size until it does.
    public Tensor[] Chunk(long chunks, long dim = 0) => Gather(Math.Max(chunks, 1), (p, cap) => N.mlc_chunk(Handle, chunks, dim, p, cap));

    private delegate long ListCall(IntPtr* output, long capacity);

    private Tensor[] Gather(long capacity, ListCall call)
    {
        var buffer = new IntPtr[capacity];
        long n;
        fixed (IntPtr* p = buffer) n = call(p, capacity);
        GC.KeepAlive(this);
        if (n < 0) throw TorchException.FromNative();
        var result = new Tensor[n];
        for (var i = 0; i < n; i++) result[i] = new Tensor(buffer[i]);
        return result;
    }

    // ---- indexing ----

    public Tensor Gather(long dim, Tensor index) => Wrap(N.mlc_gather(Handle, dim, index.Handle), this, index);
    public Tensor IndexSelect(long dim, Tensor index) => Wrap(N.mlc_index_select(Handle, dim, index.Handle), this, index);
    public Tensor Scatter(long dim, Tensor index, Tensor source) => Wrap(N.mlc_scatter(Handle, dim, index.Handle, source.Handle), this, index, source);
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) => Wrap(N.mlc_scatter_add(Handle, dim, index.Handle, source.Handle), this, index, source);

    /// <summary>Out-of-place <c>t[index] = values</c> (or <c>+=</c> with accumulate) along the first dimension.</summary>
    public Tensor IndexPut(Tensor index, Tensor values, bool accumulate = false) =>
        Wrap(N.mlc_index_put(Handle, index.Handle, values.Handle, accumulate ? 1 : 0), this, index, values);
}
