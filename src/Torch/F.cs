using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

/// <summary>How a loss reduces its per-element terms. Values cross the native boundary.</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

/// <summary>Functional neural-network operations and losses (torch.nn.functional).</summary>
public static unsafe class F
{
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(N.mlc_linear(x.Handle, weight.Handle, Tensor.HandleOrZero(bias)), x, weight, bias);

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Tensor.Wrap(N.mlc_conv2d(x.Handle, weight.Handle, Tensor.HandleOrZero(bias), stride, stride, padding, padding, dilation, dilation, groups), x, weight, bias);

    public static Tensor LayerNorm(Tensor x, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        fixed (long* s = normalizedShape)
            return Tensor.Wrap(N.mlc_layer_norm(x.Handle, s, normalizedShape.Length, Tensor.HandleOrZero(weight), Tensor.HandleOrZero(bias), eps), x, weight, bias);
    }

    public static Tensor Softmax(Tensor x, long dim) => Tensor.Wrap(N.mlc_softmax(x.Handle, dim), x);
    public static Tensor LogSoftmax(Tensor x, long dim) => Tensor.Wrap(N.mlc_log_softmax(x.Handle, dim), x);
    public static Tensor Dropout(Tensor x, double p, bool training) => Tensor.Wrap(N.mlc_dropout(x.Handle, p, training ? 1 : 0), x);
    public static Tensor Embedding(Tensor weight, Tensor indices) => Tensor.Wrap(N.mlc_embedding(weight.Handle, indices.Handle), weight, indices);

    /// <summary>Bicubic resize of [N, C, H, W] to [N, C, height, width] (F.interpolate mode="bicubic").</summary>
    public static Tensor InterpolateBicubic(Tensor x, long height, long width, bool alignCorners = false) =>
        Tensor.Wrap(N.mlc_upsample_bicubic2d(x.Handle, height, width, alignCorners ? 1 : 0), x);

    /// <summary>Exact (erf) GELU.</summary>
    public static Tensor Gelu(Tensor x) => x.Unary(UnaryOp.Gelu);

    /// <summary>GELU with the tanh approximation.</summary>
    public static Tensor GeluTanh(Tensor x) => x.Unary(UnaryOp.GeluTanh);

    /// <summary>x·σ(1.702x), the activation of OpenAI's CLIP weights.</summary>
    public static Tensor QuickGelu(Tensor x) => x.Unary(UnaryOp.QuickGelu);

    public static Tensor Silu(Tensor x) => x.Unary(UnaryOp.Silu);

    /// <summary>
    /// softmax(q·kᵀ·scale + mask)·v over [..., L, E] inputs. A bool mask keeps positions where it is true;
    /// a float mask is added to the scores. <paramref name="scale"/> defaults to 1/√E. Libtorch 2.x runs its
    /// fused kernels; 1.13 runs the same maths spelled out.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, double dropout = 0, bool isCausal = false, double? scale = null)
    {
        var h = N.mlc_sdpa(q.Handle, k.Handle, v.Handle, Tensor.HandleOrZero(mask), dropout, isCausal ? 1 : 0, scale ?? 0);
        GC.KeepAlive(mask);
        return Tensor.Wrap(h, q, k, v);
    }

    /// <summary>The attention probabilities softmax(q·kᵀ·scale + mask), [..., L, S].</summary>
    public static Tensor AttentionWeights(Tensor q, Tensor k, Tensor? mask = null, double? scale = null) =>
        Tensor.Wrap(N.mlc_attention_weights(q.Handle, k.Handle, Tensor.HandleOrZero(mask), scale ?? 0), q, k, mask);

    /// <summary>Cross-entropy of [N, C] logits against [N] class indices.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean, double labelSmoothing = 0) =>
        Tensor.Wrap(N.mlc_cross_entropy(logits.Handle, target.Handle, (int)reduction, labelSmoothing), logits, target);

    public static Tensor SmoothL1(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1) =>
        Tensor.Wrap(N.mlc_smooth_l1(input.Handle, target.Handle, (int)reduction, beta), input, target);

    public static Tensor Mse(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(N.mlc_mse(input.Handle, target.Handle, (int)reduction), input, target);

    public static Tensor CosineSimilarity(Tensor a, Tensor b, long dim = 1, double eps = 1e-8) =>
        Tensor.Wrap(N.mlc_cosine_similarity(a.Handle, b.Handle, dim, eps), a, b);

    /// <summary>x / max(‖x‖_p, eps) along dim.</summary>
    public static Tensor Normalize(Tensor x, double p = 2, long dim = -1, double eps = 1e-12) =>
        Tensor.Wrap(N.mlc_normalize(x.Handle, p, dim, eps), x);
}
