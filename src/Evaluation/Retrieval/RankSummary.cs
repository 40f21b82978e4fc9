namespace MLNetClip.Evaluation.Retrieval;

/// <summary>
/// Recall at 1, 5 and 10 and the median rank of one retrieval direction, from the per-query
/// ranks of <see cref="RetrievalRanks"/>. Recall at K is the share of queries whose rank is at
/// most K, in [0, 1]. The median of an even number of ranks is the mean of the middle two.
/// </summary>
public sealed record RankSummary(int Queries, double RecallAt1, double RecallAt5, double RecallAt10, double MedianRank, double MeanRank)
{
    public static RankSummary From(IReadOnlyList<int> ranks)
    {
        if (ranks.Count == 0) throw new ArgumentException("no ranks to summarise: the retrieval had no queries");
        if (ranks.Any(r => r < 1)) throw new ArgumentException("ranks start at 1");
        var sorted = ranks.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
        return new RankSummary(sorted.Length, RecallAt(sorted, 1), RecallAt(sorted, 5), RecallAt(sorted, 10), median, sorted.Average());
    }

    /// <summary>The share of <paramref name="ranks"/> at most <paramref name="k"/>.</summary>
    public static double RecallAt(IReadOnlyList<int> ranks, int k) => ranks.Count(r => r <= k) / (double)ranks.Count;
}
