using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Retrieval;
using MLNetClip.Torch;

namespace MLNetClip.Cli;

/// <summary>
/// The demo's reference columns that need no trained model: the expected recall of a random ranking,
/// and image→text retrieval by the nearest training picture in raw pixels.
/// </summary>
internal static class DemoBaselines
{
    /// <summary>
    /// Expected R@K of a uniformly random ranking, averaged over the queries: a query with p of
    /// the n candidates correct misses all of them in its first K with chance C(n−p, K) / C(n, K).
    /// </summary>
    public static (double ImageToText, double TextToImage) ChanceRecall(IReadOnlyList<EvaluationRow> rows, int k)
    {
        var set = RetrievalSet.From(rows.Select(r => (r.ImageKey, r.Text)));
        var perImage = set.Pairs.GroupBy(p => p.Image).Select(g => g.Count()).ToList();
        var perText = set.Pairs.GroupBy(p => p.Text).Select(g => g.Count()).ToList();
        return (perImage.Average(p => Hit(set.Texts.Count, p, k)), perText.Average(p => Hit(set.Images.Count, p, k)));
    }

    private static double Hit(int candidates, int positives, int k)
    {
        // Fewer wrong candidates than K: the first K must hold a right one.
        if (candidates - positives < k) return 1;
        var miss = 1.0;
        for (var i = 0; i < k; i++)
            miss *= (candidates - positives - i) / (double)(candidates - i);
        return 1 - miss;
    }

    /// <summary>
    /// Image→text R@1 and R@5 of pixel nearest neighbours: each test picture's training pictures by
    /// distance in raw pixels at <paramref name="pixelSize"/> px, read off as the distinct test captions
    /// they carry, in that order. A caption no training picture carries is never retrieved, so on
    /// unseen concepts this is zero by construction.
    /// </summary>
    public static (double R1, double R5) PixelNeighbours(ClipEmbedder embedder, IReadOnlyList<EvaluationRow> train,
        IReadOnlyList<EvaluationRow> test, int pixelSize)
    {
        var trainImages = train.GroupBy(r => r.ImageKey, StringComparer.Ordinal).ToList();
        var testImages = test.GroupBy(r => r.ImageKey, StringComparer.Ordinal).ToList();
        var candidates = test.Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
        using var scope = DisposeScope.Begin();
        var a = embedder.PixelFeatures(new RecordImages(testImages.Select(g => g.First().Record).ToList()), pixelSize);   // [Q, P]
        var b = embedder.PixelFeatures(new RecordImages(trainImages.Select(g => g.First().Record).ToList()), pixelSize);  // [N, P]
        // ‖a − b‖² ranks like −2·a·b + ‖b‖²; the query's own norm is the same for every candidate.
        var distances = b.Square().Sum(1).Unsqueeze(0).Sub(a.MatMul(b.Transpose(0, 1)).Mul_(2)).ToArray<float>();      // [Q, N]
        var n = trainImages.Count;
        int hits1 = 0, hits5 = 0;
        for (var q = 0; q < testImages.Count; q++)
        {
            var truth = testImages[q].Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
            // A heap, not a sort: usually a handful of the nearest pictures already carry five captions.
            var nearest = new PriorityQueue<int, float>(Enumerable.Range(0, n).Select(j => (j, distances[(long)q * n + j])));
            var seen = new List<string>();
            while (seen.Count < 5 && nearest.TryDequeue(out var j, out _))
                foreach (var caption in trainImages[j].Select(r => r.Text))
                    if (candidates.Contains(caption) && !seen.Contains(caption) && seen.Count < 5) seen.Add(caption);
            if (seen.Count > 0 && truth.Contains(seen[0])) hits1++;
            if (seen.Any(truth.Contains)) hits5++;
        }
        return (hits1 / (double)testImages.Count, hits5 / (double)testImages.Count);
    }
}
