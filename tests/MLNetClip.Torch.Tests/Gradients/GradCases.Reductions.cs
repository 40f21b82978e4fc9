namespace MLNetClip.Torch.Tests.Gradients;

public static partial class GradCases
{
    // Random inputs have no ties, so max/min/topk/sort pick unique elements.
    private static IEnumerable<GradCase> Reductions()
    {
        yield return Case("sum", x => x[0].Sum(), In(3, 4));
        yield return Case("sum_dims_keepdim", x => x[0].Sum([0, 2], keepDim: true), In(2, 3, 4));
        yield return Case("mean", x => x[0].Mean(), In(3, 4));
        yield return Case("mean_dim", x => x[0].Mean(-1), In(3, 4));
        yield return Case("var_unbiased", x => x[0].Var(1), In(3, 4));
        yield return Case("var_biased_keepdim", x => x[0].Var(0, unbiased: false, keepDim: true), In(3, 4));
        yield return Case("norm", x => x[0].Norm(), In(3, 4));
        yield return Case("norm_p1_dim", x => x[0].Norm(1, 1), In(3, 4));
        yield return Case("norm_p3_dim_keepdim", x => x[0].Norm(3, 0, keepDim: true), In(3, 4));
        yield return Case("max_all", x => x[0].Max(), In(3, 4));
        yield return Case("min_all", x => x[0].Min(), In(3, 4));
        yield return Case("amax", x => x[0].Amax(1), In(3, 4));
        yield return Case("amin_keepdim", x => x[0].Amin(0, keepDim: true), In(3, 4));
        yield return Case("max_dim_values", x => x[0].Max(1).Values, In(3, 4));
        yield return Case("min_dim_values", x => x[0].Min(0, keepDim: true).Values, In(3, 4));
        yield return Case("logsumexp", x => x[0].LogSumExp(1), In(3, 4));
        yield return Case("cumsum", x => x[0].CumSum(1), In(3, 4));
        yield return Case("topk_values", x => x[0].TopK(2).Values, In(3, 5));
        yield return Case("topk_smallest_values", x => x[0].TopK(2, dim: 0, largest: false).Values, In(4, 3));
        yield return Case("sort_values", x => x[0].Sort().Values, In(3, 5));
        yield return Case("sort_descending_values", x => x[0].Sort(0, descending: true).Values, In(4, 3));
    }
}
