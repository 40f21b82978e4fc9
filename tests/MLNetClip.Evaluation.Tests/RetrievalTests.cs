using MLNetClip.Evaluation.Retrieval;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>Retrieval ranks and recalls against hand-counted cases and a brute-force loop.</summary>
public class RetrievalTests
{
    // 3 images × 4 texts. Image 0 has captions 0 and 1; text 2 captions images 1 and 2; image 2 also has text 3.
    private static readonly float[] Scores =
    [
        0.1f, 0.9f, 0.5f, 0.2f,
        0.8f, 0.1f, 0.3f, 0.9f,
        0.4f, 0.4f, 0.2f, 0.4f,
    ];

    private static readonly (int Image, int Text)[] Pairs = [(0, 0), (0, 1), (1, 2), (2, 2), (2, 3)];

    private static List<IReadOnlyList<int>> Lists(params int[][] lists) => lists.Select(l => (IReadOnlyList<int>)l).ToList();

    [Fact]
    public void RanksCountOnlyNegativesAtOrAboveTheBestPositive()
    {
        using var scores = Tensor.FromArray(Scores, 3, 4);
        // Image 0: its caption 1 is on top (1). Image 1: texts 0 and 3 beat its only caption (3).
        // Image 2: its best caption (text 3, 0.4) ties with two negatives, and ties count against it (3).
        Assert.Equal([1, 3, 3], RetrievalRanks.FromScores(scores, Lists([0, 1], [2], [2, 3])));
        using var transposed = scores.MT.Contiguous();
        // Text 0: images 1 and 2 beat image 0 (3). Text 1: image 0 is on top (1).
        // Text 2 has two images; the better one (image 1, 0.3) is beaten only by image 0 (2). Text 3: image 1 beats image 2 (2).
        Assert.Equal([3, 1, 2, 2], RetrievalRanks.FromScores(transposed, Lists([0], [0], [1, 2], [2])));
    }

    [Fact]
    public void SummaryGivesRecallsAndTheMedianOfHandCountedRanks()
    {
        var images = RankSummary.From([1, 3, 3]);
        Assert.Equal((3, 1 / 3.0, 1.0, 1.0, 3.0), (images.Queries, images.RecallAt1, images.RecallAt5, images.RecallAt10, images.MedianRank));
        Assert.Equal(7 / 3.0, images.MeanRank, 12);
        var texts = RankSummary.From([3, 1, 2, 2]);
        Assert.Equal((0.25, 2.0), (texts.RecallAt1, texts.MedianRank));
        // Ranks exactly at K count; one past does not. An even count takes the mean of the middle two.
        var edges = RankSummary.From([5, 6, 10, 11]);
        Assert.Equal((0.0, 0.25, 0.75, 8.0), (edges.RecallAt1, edges.RecallAt5, edges.RecallAt10, edges.MedianRank));
        Assert.Throws<ArgumentException>(() => RankSummary.From([]));
    }

    [Fact]
    public void AConstantModelGetsTheWorstRankNotTheBest()
    {
        using var scores = Tensor.Full([2, 6], 0.5);
        Assert.Equal([6, 5], RetrievalRanks.FromScores(scores, Lists([3], [0, 5])));
    }

    [Fact]
    public void EvaluateMatchesABruteForceLoopInBothDirectionsAndAnyBlockSize()
    {
        // Rows are unit vectors whose entries are 0, ±0.5 or ±1, so every cosine is an exact multiple
        // of 0.25 whatever the summation order: ties are real ties, on any block size.
        var random = new Random(3);
        using var images = Prototypes(9, random);
        using var texts = Prototypes(12, random);
        var pairs = Enumerable.Range(0, 12).Select(t => (Image: t % 9, Text: t))
            .Concat(Enumerable.Range(0, 6).Select(_ => (Image: random.Next(9), Text: random.Next(12)))).Distinct().ToList();

        var cosine = Cosines(images, texts);
        var expectedI2T = BruteRanks(cosine, pairs.GroupBy(p => p.Image).OrderBy(g => g.Key).Select(g => g.Select(p => p.Text).ToList()).ToList(), transpose: false);
        var expectedT2I = BruteRanks(cosine, pairs.GroupBy(p => p.Text).OrderBy(g => g.Key).Select(g => g.Select(p => p.Image).ToList()).ToList(), transpose: true);
        var baseline = LiveTensors.Baseline();
        foreach (var block in new[] { 1, 4, 1024 })
        {
            var result = ImageTextRetrieval.Evaluate(images, texts, pairs, block);
            Assert.Equal(RankSummary.From(expectedI2T), result.ImageToText);
            Assert.Equal(RankSummary.From(expectedT2I), result.TextToImage);
        }
        Assert.Equal(baseline, Tensor.LiveCount);
        Assert.Contains(expectedI2T, r => r > 1);
    }

    [Fact]
    public void QueriesWithoutAPositiveAndBadIndicesAreNamed()
    {
        using var images = Tensor.Ones([2, 3]);
        using var texts = Tensor.Ones([2, 3]);
        var lonely = Assert.Throws<ArgumentException>(() => ImageTextRetrieval.Evaluate(images, texts, [(0, 0), (0, 1)]));
        Assert.Contains("image 1", lonely.Message);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => ImageTextRetrieval.Evaluate(images, texts, [(0, 0), (1, 2)]));
        Assert.Contains("(image 1, 2)", outside.Message);
        using var nan = Tensor.Full([1, 2], double.NaN);
        Assert.Throws<InvalidDataException>(() => RetrievalRanks.FromScores(nan, Lists([0])));
    }

    /// <summary>Rows drawn from the 8 signed axes and the 16 vectors (±½, ±½, ±½, ±½).</summary>
    private static Tensor Prototypes(int rows, Random random)
    {
        var data = new float[rows * 4];
        for (var r = 0; r < rows; r++)
        {
            var pick = random.Next(24);
            if (pick < 8) data[r * 4 + pick / 2] = pick % 2 == 0 ? 1 : -1;
            else for (var k = 0; k < 4; k++) data[r * 4 + k] = ((pick - 8) >> k & 1) == 0 ? 0.5f : -0.5f;
        }
        return Tensor.FromArray(data, rows, 4);
    }

    /// <summary>Cosine similarities [N, M] computed element by element on the host.</summary>
    private static double[,] Cosines(Tensor a, Tensor b)
    {
        var x = a.ToArray<float>();
        var y = b.ToArray<float>();
        int n = (int)a.Size(0), m = (int)b.Size(0), d = (int)a.Size(1);
        double Norm(float[] v, int row) => Math.Sqrt(Enumerable.Range(0, d).Sum(k => (double)v[row * d + k] * v[row * d + k]));
        var c = new double[n, m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
                c[i, j] = Enumerable.Range(0, d).Sum(k => (double)x[i * d + k] * y[j * d + k]) / (Norm(x, i) * Norm(y, j));
        return c;
    }

    /// <summary>For each query: every positive's rank = 1 + negatives with a score at least its own; keep the best.</summary>
    private static int[] BruteRanks(double[,] cosine, List<List<int>> positives, bool transpose)
    {
        double S(int q, int c) => transpose ? cosine[c, q] : cosine[q, c];
        var candidates = transpose ? cosine.GetLength(0) : cosine.GetLength(1);
        return positives.Select((pos, q) => pos.Min(p =>
            1 + Enumerable.Range(0, candidates).Count(c => !pos.Contains(c) && S(q, c) >= S(q, p)))).ToArray();
    }
}

/// <summary>Rows become distinct images, distinct captions and their matches.</summary>
public class RetrievalSetTests
{
    [Fact]
    public void SharedCaptionsBecomeOneTextAndRepeatedRowsOnePair()
    {
        var set = RetrievalSet.From(
        [
            ("google/a.png", "grinning face"),
            ("twitter/a.png", "grinning face"),      // the same caption for another picture
            ("google/a.png", "grinning face, smile"), // a second caption for the first picture
            ("google/b.png", "red apple"),
            ("google/b.png", "red apple"),            // a repeated row
        ]);
        Assert.Equal(["google/a.png", "twitter/a.png", "google/b.png"], set.Images);
        Assert.Equal(["grinning face", "grinning face, smile", "red apple"], set.Texts);
        Assert.Equal([(0, 0), (1, 0), (0, 1), (2, 2)], set.Pairs);
        Assert.Contains("row 1 (x.png)", Assert.Throws<ArgumentException>(() => RetrievalSet.From([("a.png", "a"), ("x.png", " ")])).Message);
        Assert.Throws<ArgumentException>(() => RetrievalSet.From([]));
    }
}
