namespace MLNetClip.Torch.Tests.Gradients;

public static partial class GradCases
{
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
