namespace MLNetClip.Torch.Tests.Gradients;

public static partial class GradCases
{
    private static IEnumerable<GradCase> Linear()
    {
        yield return Case("matmul", x => x[0].MatMul(x[1]), In(3, 4), In(4, 5));
        yield return Case("matmul_batched_broadcast", x => x[0].MatMul(x[1]), In(2, 1, 3, 4), In(3, 4, 2));
        yield return Case("matmul_vector", x => x[0].MatMul(x[1]), In(3, 4), In(4));
        yield return Case("bmm", x => x[0].Bmm(x[1]), In(2, 3, 4), In(2, 4, 5));
        yield return Case("outer", x => x[0].Outer(x[1]), In(3), In(4));
        yield return Case("linear", x => F.Linear(x[0], x[1], x[2]), In(3, 4), In(5, 4), In(5));
        yield return Case("linear_no_bias", x => F.Linear(x[0], x[1]), In(2, 3, 4), In(5, 4));
        yield return Case("conv2d", x => F.Conv2d(x[0], x[1], x[2]), In(2, 2, 4, 4), In(3, 2, 3, 3), In(3));
        yield return Case("conv2d_stride_padding", x => F.Conv2d(x[0], x[1], x[2], stride: 2, padding: 1), In(1, 2, 5, 5), In(3, 2, 3, 3), In(3));
        yield return Case("conv2d_patchify", x => F.Conv2d(x[0], x[1], null, stride: 2), In(1, 3, 4, 4), In(2, 3, 2, 2));
        yield return Case("conv2d_groups", x => F.Conv2d(x[0], x[1], null, padding: 1, groups: 2), In(1, 4, 3, 3), In(2, 2, 3, 3));
        yield return Case("layer_norm", x => F.LayerNorm(x[0], [4], x[1], x[2]), In(3, 4), In(4), In(4));
        yield return Case("layer_norm_no_affine", x => F.LayerNorm(x[0], [4]), In(2, 3, 4));
        yield return Case("layer_norm_2d_shape", x => F.LayerNorm(x[0], [3, 4], x[1], x[2], eps: 1e-3), In(2, 3, 4), In(3, 4), In(3, 4));
        yield return Case("softmax", x => F.Softmax(x[0], 1), In(3, 4));
        yield return Case("softmax_dim0", x => F.Softmax(x[0], 0), In(3, 4));
        yield return Case("log_softmax", x => F.LogSoftmax(x[0], -1), In(3, 4));
        yield return Case("embedding", x => F.Embedding(x[0], Long([0, 2, 4, 2, 1, 0], 2, 3)), In(5, 3));

        // q [B, L, E], k [B, S, E], v [B, S, Ev].
        yield return Case("sdpa", x => F.ScaledDotProductAttention(x[0], x[1], x[2]), In(2, 3, 4), In(2, 5, 4), In(2, 5, 6));
        yield return Case("sdpa_4d", x => F.ScaledDotProductAttention(x[0], x[1], x[2]), In(1, 2, 3, 4), In(1, 2, 3, 4), In(1, 2, 3, 4));
        yield return Case("sdpa_bool_mask", x => F.ScaledDotProductAttention(x[0], x[1], x[2], AttentionMask()), In(2, 3, 4), In(2, 5, 4), In(2, 5, 6));
        yield return Case("sdpa_float_mask", x => F.ScaledDotProductAttention(x[0], x[1], x[2], x[3]), In(2, 3, 4), In(2, 5, 4), In(2, 5, 6), In(3, 5));
        yield return Case("sdpa_causal", x => F.ScaledDotProductAttention(x[0], x[1], x[2], isCausal: true), In(2, 4, 4), In(2, 4, 4), In(2, 4, 3));
        yield return Case("sdpa_scale", x => F.ScaledDotProductAttention(x[0], x[1], x[2], scale: 0.3), In(2, 3, 4), In(2, 5, 4), In(2, 5, 6));
        yield return Case("attention_weights", x => F.AttentionWeights(x[0], x[1]), In(2, 3, 4), In(2, 5, 4));
        yield return Case("attention_weights_mask", x => F.AttentionWeights(x[0], x[1], AttentionMask(), scale: 0.7), In(2, 3, 4), In(2, 5, 4));
    }

    // [L=3, S=5], every query keeps at least one key.
    private static Tensor AttentionMask() => Bool(
    [
        true, true, false, true, false,
        false, true, true, true, true,
        true, false, false, false, false,
    ], 3, 5);

    private static IEnumerable<GradCase> Losses()
    {
        yield return Case("cross_entropy", x => F.CrossEntropy(x[0], Targets()), In(4, 5));
        yield return Case("cross_entropy_sum", x => F.CrossEntropy(x[0], Targets(), Reduction.Sum), In(4, 5));
        yield return Case("cross_entropy_none", x => F.CrossEntropy(x[0], Targets(), Reduction.None), In(4, 5));
        yield return Case("cross_entropy_label_smoothing", x => F.CrossEntropy(x[0], Targets(), labelSmoothing: 0.1), In(4, 5));
        // With beta 0.5 the normal differences land in both the quadratic and the linear regime.
        yield return Case("smooth_l1", x => F.SmoothL1(x[0], x[1], beta: 0.5), In(4, 5), In(4, 5));
        yield return Case("smooth_l1_none", x => F.SmoothL1(x[0], x[1], Reduction.None), In(4, 5), In(4, 5));
        yield return Case("mse", x => F.Mse(x[0], x[1]), In(4, 5), In(4, 5));
        yield return Case("mse_sum", x => F.Mse(x[0], x[1], Reduction.Sum), In(4, 5), In(4, 5));
        yield return Case("cosine_similarity", x => F.CosineSimilarity(x[0], x[1]), In(3, 4), In(3, 4));
        yield return Case("cosine_similarity_last_dim", x => F.CosineSimilarity(x[0], x[1], dim: -1), In(2, 3, 4), In(3, 4));
        yield return Case("normalize", x => F.Normalize(x[0]), In(3, 4));
        yield return Case("normalize_p1_dim0", x => F.Normalize(x[0], p: 1, dim: 0), In(3, 4));
    }

    private static Tensor Targets() => Long([1, 0, 4, 2], 4);
}
