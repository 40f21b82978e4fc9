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
}
