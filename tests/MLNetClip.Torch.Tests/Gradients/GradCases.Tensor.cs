namespace MLNetClip.Torch.Tests.Gradients;

public static partial class GradCases
{
    private static IEnumerable<GradCase> Indexing()
    {
        yield return Case("gather", x => x[0].Gather(1, Long([2, 0, 1, 1, 3, 3], 3, 2)), In(3, 4));
        yield return Case("gather_dim0", x => x[0].Gather(0, Long([2, 0, 1, 1], 1, 4)), In(3, 4));
        yield return Case("index_select", x => x[0].IndexSelect(0, Long([2, 0, 2], 3)), In(3, 4));
        yield return Case("index_select_dim1", x => x[0].IndexSelect(1, Long([3, 1], 2)), In(3, 4));
        // Scatter writes each position at most once, so its result (and gradient) is defined.
        yield return Case("scatter", x => x[0].Scatter(1, Long([0, 2, 3, 1], 2, 2), x[1]), In(2, 4), In(2, 2));
        yield return Case("scatter_add", x => x[0].ScatterAdd(1, Long([0, 0, 3, 1, 1, 1], 2, 3), x[1]), In(2, 4), In(2, 3));
        yield return Case("index_put", x => x[0].IndexPut(Long([3, 0], 2), x[1]), In(4, 3), In(2, 3));
        yield return Case("index_put_accumulate", x => x[0].IndexPut(Long([1, 3, 1], 3), x[1], accumulate: true), In(4, 3), In(3, 3));
        yield return Case("masked_select", x => x[0].MaskedSelect(Bool([true, false, true, true], 4)), In(3, 4));
    }

    private static IEnumerable<GradCase> Shapes()
    {
        yield return Case("cat", x => Tensor.Cat([x[0], x[1], x[2]]), In(2, 3), In(1, 3), In(3, 3));
        yield return Case("cat_dim1", x => Tensor.Cat([x[0], x[1]], 1), In(2, 3), In(2, 2));
        yield return Case("stack", x => Tensor.Stack([x[0], x[1]], 1), In(2, 3), In(2, 3));
        // Pieces are put back in a different order so a misrouted gradient shows.
        yield return Case("split", x => Reversed(x[0].Split(2, 1), 1), In(3, 5));
        yield return Case("split_sizes", x => Reversed(x[0].Split([1, 3, 2], 0), 0), In(6, 2));
        yield return Case("chunk", x => Reversed(x[0].Chunk(3, 0), 0), In(5, 2));
        yield return Case("narrow", x => x[0].Narrow(1, 1, 2), In(3, 4));
        yield return Case("select", x => x[0].Select(0, 1), In(3, 4));
        yield return Case("select_negative", x => x[0].Select(-1, -2), In(3, 4));
        yield return Case("slice_step", x => x[0].Slice(1, 0, 5, 2), In(3, 5));
        yield return Case("view", x => x[0].View(2, 6), In(3, 4));
        yield return Case("reshape_noncontiguous", x => x[0].MT.Reshape(12), In(3, 4));
        yield return Case("permute", x => x[0].Permute(2, 0, 1), In(2, 3, 4));
        yield return Case("transpose", x => x[0].Transpose(0, 2), In(2, 3, 4));
        yield return Case("mt", x => x[0].MT, In(2, 3, 4));
        yield return Case("contiguous", x => x[0].MT.Contiguous(), In(3, 4));
        yield return Case("flatten", x => x[0].Flatten(1), In(2, 3, 4));
        yield return Case("unsqueeze", x => x[0].Unsqueeze(1), In(3, 4));
        yield return Case("squeeze", x => x[0].Squeeze(1), In(3, 1, 4));
        yield return Case("expand", x => x[0].Expand(2, 3, 4), In(3, 1));
        yield return Case("repeat", x => x[0].Repeat(2, 1, 3), In(2, 3));
        yield return Case("flip", x => x[0].Flip(0, 1), In(3, 4));
        yield return Case("tril", x => x[0].Tril(), In(4, 4));
        yield return Case("triu", x => x[0].Triu(1), In(4, 4));
    }

    private static Tensor Reversed(Tensor[] pieces, long dim) => Tensor.Cat(pieces.Reverse().ToArray(), dim);

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
