namespace MLNetClip.Torch.Tests.Gradients;

public static partial class GradCases
{
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
}
