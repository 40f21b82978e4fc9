using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Retrieval;

/// <summary>
/// The rank at which each query first finds one of its positives among the candidates.
///
/// A query may have several positives (an image with several captions) and a candidate may be the
/// positive of several queries (one caption shared by several images). A query's rank is the best
/// rank of any of its positives: 1 + the number of negatives scoring at least as high as its best
/// positive. Ties with a negative therefore count against the query (a model that scores
/// everything alike gets the worst rank, not the best), while other positives never push a query
/// down.
/// </summary>
public static class RetrievalRanks
{
    /// <summary>Queries scored per block; bounds the [block, candidates] score matrix in memory.</summary>
    public const int DefaultBlockSize = 1024;

    /// <summary>
    /// Ranks for <paramref name="queries"/> [Q, E] against <paramref name="candidates"/> [C, E] by dot
    /// product (cosine similarity for L2-normalised embeddings). <paramref name="positives"/>[q] lists
    /// the candidate indices that count as hits for query q; each query needs at least one.
    /// </summary>
    public static int[] Compute(Tensor queries, Tensor candidates, IReadOnlyList<IReadOnlyList<int>> positives,
        int blockSize = DefaultBlockSize)
    {
        if (queries.Dim != 2 || candidates.Dim != 2 || queries.Size(1) != candidates.Size(1))
            throw new ArgumentException($"queries [Q, E] and candidates [C, E] must share E; got [{string.Join(", ", queries.Shape)}] and [{string.Join(", ", candidates.Shape)}]");
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "the block size must be at least 1");
        var count = (int)queries.Size(0);
        Check(positives, count, (int)candidates.Size(0));
        var ranks = new int[count];
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var candidatesT = candidates.MT;                                                  // [E, C]
        for (var start = 0; start < count; start += blockSize)
        {
            using var block = DisposeScope.Begin();
            var length = Math.Min(blockSize, count - start);
            var scores = queries.Narrow(0, start, length).MatMul(candidatesT);             // [b, C]
            BlockRanks(scores, positives, start).CopyTo(ranks, start);
        }
        return ranks;
    }

    /// <summary>Ranks straight from a score matrix [Q, C] (higher is better).</summary>
    public static int[] FromScores(Tensor scores, IReadOnlyList<IReadOnlyList<int>> positives)
    {
        if (scores.Dim != 2) throw new ArgumentException($"scores must be [Q, C]; got [{string.Join(", ", scores.Shape)}]");
        Check(positives, (int)scores.Size(0), (int)scores.Size(1));
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return BlockRanks(scores, positives, 0);
    }

    private static int[] BlockRanks(Tensor scores, IReadOnlyList<IReadOnlyList<int>> positives, int firstQuery)
    {
        long rows = scores.Size(0), columns = scores.Size(1);
        if (scores.IsNan().Sum().ItemInt64() > 0)
            throw new InvalidDataException($"similarity scores of queries {firstQuery}..{firstQuery + rows - 1} contain NaN; the embeddings are broken");
        var hits = new bool[rows * columns];
        for (var r = 0; r < rows; r++)
            foreach (var c in positives[firstQuery + r]) hits[r * columns + c] = true;
        var positive = Tensor.FromArray(hits, rows, columns).To(scores.Device);            // [b, C]
        var negative = positive.LogicalNot();                                              // [b, C]
        var best = scores.MaskedFill(negative, double.NegativeInfinity).Amax(1, keepDim: true); // [b, 1]
        var beaten = scores.Ge(best).LogicalAnd(negative).Sum(1);                          // [b]
        return (beaten + 1).To(Device.Cpu, ScalarType.Int32).ToArray<int>();
    }

    private static void Check(IReadOnlyList<IReadOnlyList<int>> positives, int queries, int candidates)
    {
        if (positives.Count != queries)
            throw new ArgumentException($"{positives.Count} positive lists for {queries} queries; give one list per query");
        for (var q = 0; q < queries; q++)
        {
            if (positives[q].Count == 0) throw new ArgumentException($"query {q} has no positive; every query needs one to be ranked");
            foreach (var c in positives[q])
                if ((uint)c >= (uint)candidates)
                    throw new ArgumentOutOfRangeException(nameof(positives), c, $"query {q} names candidate {c}, but there are {candidates}");
        }
    }
}
