using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

public sealed unsafe partial class Tensor
{
    public Tensor Sum() => Sum([]);

    public Tensor Sum(long[] dims, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(N.mlc_sum(Handle, d, dims.Length, keepDim ? 1 : 0), this);
    }

    public Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);

    public Tensor Mean() => Mean([]);

    public Tensor Mean(long[] dims, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(N.mlc_mean(Handle, d, dims.Length, keepDim ? 1 : 0), this);
    }

    public Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);

    public Tensor Var(long dim, bool unbiased = true, bool keepDim = false)
    {
        long d = dim;
        return Wrap(N.mlc_var(Handle, &d, 1, unbiased ? 1 : 0, keepDim ? 1 : 0), this);
    }

    /// <summary>The p-norm over all elements.</summary>
    public Tensor Norm(double p = 2) => Wrap(N.mlc_norm(Handle, p, null, 0, 0), this);

    public Tensor Norm(double p, long dim, bool keepDim = false)
    {
        long d = dim;
        return Wrap(N.mlc_norm(Handle, p, &d, 1, keepDim ? 1 : 0), this);
    }

    /// <summary>The largest element.</summary>
    public Tensor Max() => Wrap(N.mlc_amax(Handle, null, 0, 0), this);

    public Tensor Min() => Wrap(N.mlc_amin(Handle, null, 0, 0), this);

    public Tensor Amax(long dim, bool keepDim = false)
    {
        long d = dim;
        return Wrap(N.mlc_amax(Handle, &d, 1, keepDim ? 1 : 0), this);
    }

    public Tensor Amin(long dim, bool keepDim = false)
    {
        long d = dim;
        return Wrap(N.mlc_amin(Handle, &d, 1, keepDim ? 1 : 0), this);
    }

    public Tensor LogSumExp(long dim, bool keepDim = false)
    {
        long d = dim;
        return Wrap(N.mlc_logsumexp(Handle, &d, 1, keepDim ? 1 : 0), this);
    }

    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) => Pair((v, i) => N.mlc_max_dim(Handle, dim, keepDim ? 1 : 0, v, i));

    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) => Pair((v, i) => N.mlc_min_dim(Handle, dim, keepDim ? 1 : 0, v, i));

    public Tensor ArgMax(long dim, bool keepDim = false) => Wrap(N.mlc_argmax(Handle, dim, keepDim ? 1 : 0), this);
    public Tensor ArgMin(long dim, bool keepDim = false) => Wrap(N.mlc_argmin(Handle, dim, keepDim ? 1 : 0), this);
    public Tensor CumSum(long dim) => Wrap(N.mlc_cumsum(Handle, dim), this);

    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true) =>
        Pair((v, i) => N.mlc_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, v, i));

    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false, bool stable = true) =>
        Pair((v, i) => N.mlc_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, v, i));

    public Tensor ArgSort(long dim = -1, bool descending = false) => Wrap(N.mlc_argsort(Handle, dim, descending ? 1 : 0), this);

    /// <summary>Draws <paramref name="samples"/> indices per row with probability proportional to the (non-negative) entries.</summary>
    public Tensor Multinomial(long samples, bool replacement = false, Generator? generator = null)
    {
        var h = N.mlc_multinomial(Handle, samples, replacement ? 1 : 0, Generator.HandleOf(generator));
        GC.KeepAlive(generator);
        return Wrap(h, this);
    }

    private delegate int PairCall(IntPtr* values, IntPtr* indices);

    private (Tensor, Tensor) Pair(PairCall call)
    {
        IntPtr v, i;
        var status = call(&v, &i);
        GC.KeepAlive(this);
        if (status == 0) throw TorchException.FromNative();
        return (new Tensor(v), new Tensor(i));
    }
}
