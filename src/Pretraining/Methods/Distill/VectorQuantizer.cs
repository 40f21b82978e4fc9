using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// BEiT v2's normalised-EMA vector quantiser. Inputs and codes live on the unit sphere, so the
/// nearest code by Euclidean distance is the one of highest cosine. The codebook is not trained
/// by gradients: after each training batch every chosen code moves towards the mean of the
/// (normalised) inputs that chose it, code ← ‖d·code + (1 − d)·‖mean‖‖ with both norms L2, and a
/// code nobody chose stays put. The encoder learns through a straight-through estimator (the
/// quantised vector's gradient is passed to the input unchanged) and the commitment term.
///
/// <para><b>Dead codes</b> (our addition; BEiT v2 relies on k-means initialisation instead): with
/// re-initialisation on, a code whose EMA hit count has fallen below half of one fresh hit,
/// (1 − d)/2, moves onto a random input of the batch. The counts start at zero, so the first
/// batch seeds the whole codebook from the data; afterwards a code is dead after about
/// ln 2 / (1 − d) batches unused (69 at d = 0.99).</para>
/// Parameter names (buffers): codebook [C, d], hits [C] (EMA hit counts).
/// </summary>
public sealed class VectorQuantizer : Module
{
    public VectorQuantizer(int size, int dim, double decay, bool reinitDeadCodes)
    {
        if (size < 2) throw new ArgumentOutOfRangeException(nameof(size), size, "a codebook needs at least 2 codes");
        if (decay is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "must be in [0, 1)");
        Decay = decay;
        ReinitDeadCodes = reinitDeadCodes;
        using var scope = DisposeScope.Begin();
        Codebook = RegisterBuffer("codebook", F.Normalize(Tensor.Randn([size, dim])).DetachFromScope());
        Hits = RegisterBuffer("hits", Tensor.Zeros([size]).DetachFromScope());
    }

    public double Decay { get; }
    public bool ReinitDeadCodes { get; }

    /// <summary>[C, d], each row of unit length.</summary>
    public Tensor Codebook { get; }

    /// <summary>[C] EMA of how many inputs chose each code per batch.</summary>
    public Tensor Hits { get; }

    public long Size => Codebook.Size(0);

    /// <summary>The dead-code threshold on <see cref="Hits"/>: half of one fresh hit.</summary>
    public double DeadBelow => (1 - Decay) / 2;

    /// <summary>
    /// z [M, d] → (the quantised vectors, straight-through [M, d]; the normalised inputs [M, d]; the code ids [M]).
    /// No codebook update here: call <see cref="Update"/> with the same ids (under training only).
    /// </summary>
    public (Tensor Quantized, Tensor Normalized, Tensor Ids) Quantize(Tensor z)
    {
        using var scope = DisposeScope.Begin();
        var normalized = F.Normalize(z);                                                // [M, d]
        var ids = Nearest(normalized);                                                  // [M]
        var codes = Codebook.IndexSelect(0, ids);                                       // [M, d]
        var straightThrough = normalized + (codes - normalized).Detach();               // value = codes, d/dz = d/dnormalized
        return (straightThrough.MoveToOuterScope(), normalized.MoveToOuterScope(), ids.MoveToOuterScope());
    }

    /// <summary>The id of each row's nearest code by cosine [M] (rows need not be normalised).</summary>
    public Tensor Nearest(Tensor z)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = DisposeScope.Begin();
        return z.Detach().MatMul(Codebook.Transpose(0, 1)).ArgMax(1).MoveToOuterScope(); // [M]
    }

    /// <summary>
    /// The EMA step for one batch: normalised inputs [M, d] and the ids they chose [M]. With
    /// re-initialisation on, dead codes are then moved onto inputs drawn with <paramref name="generator"/>.
    /// </summary>
    public void Update(Tensor normalized, Tensor ids, Generator? generator = null)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = DisposeScope.Begin();
        long c = Size, d = Codebook.Size(1), m = ids.Size(0);
        var z = normalized.Detach().To(Codebook.DType);                                 // bf16 under autocast
        var counts = Tensor.Zeros([c], z.DType, z.Device).ScatterAdd(0, ids, Tensor.Ones([m], z.DType, z.Device)); // [C]
        var sums = Tensor.Zeros([c, d], z.DType, z.Device).ScatterAdd(0, ids.Unsqueeze(1).Expand(m, d), z);       // [C, d]
        var chosen = counts.Gt(0).Unsqueeze(1);                                         // [C, 1]
        var means = F.Normalize(sums / counts.ClampMin(1).Unsqueeze(1));                // [C, d]
        var target = Tensor.Where(chosen, means, Codebook);                             // unchosen codes aim at themselves
        var moved = F.Normalize(Codebook * Decay + target * (1 - Decay));               // [C, d]
        Hits.Copy_(Hits * Decay + counts * (1 - Decay));
        if (ReinitDeadCodes)
        {
            var dead = Hits.Lt(DeadBelow);                                              // [C]
            var picks = Tensor.RandInt(0, m, [c], generator, device: z.Device);         // [C]
            moved = Tensor.Where(dead.Unsqueeze(1), z.IndexSelect(0, picks), moved);
            Hits.Copy_(Tensor.Where(dead, Tensor.Full([c], 1 - Decay, z.DType, z.Device), Hits));
        }
        Codebook.Copy_(moved);
    }

    /// <summary>The share of the codebook that <paramref name="ids"/> (any shape) use at least once.</summary>
    public double Usage(Tensor ids)
    {
        var distinct = ids.To(Device.Cpu).ToArray<long>().Distinct().Count();
        return distinct / (double)Size;
    }
}
