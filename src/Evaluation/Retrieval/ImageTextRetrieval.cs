using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Retrieval;

/// <summary>Both directions of an image–text retrieval evaluation.</summary>
/// <param name="ImageToText">Each image queries all texts; its positives are its captions.</param>
/// <param name="TextToImage">Each text queries all images; its positives are the images it captions.</param>
public sealed record RetrievalResult(RankSummary ImageToText, RankSummary TextToImage);

/// <summary>
/// Image→text and text→image retrieval over a set of matching (image, text) pairs, by cosine
/// similarity. Images and texts are given once each: an image with several captions appears in
/// several pairs, and so does a caption shared by several images (deduplicate equal caption strings
/// before embedding so that they become one text). Ties: see <see cref="RetrievalRanks"/>.
/// </summary>
public static class ImageTextRetrieval
{
    /// <summary>
    /// <paramref name="imageEmbeddings"/> [N, E] and <paramref name="textEmbeddings"/> [M, E] (normalised
    /// here); <paramref name="pairs"/> says which image matches which text, and every image and text
    /// must be in at least one pair.
    /// </summary>
    public static RetrievalResult Evaluate(Tensor imageEmbeddings, Tensor textEmbeddings, IReadOnlyList<(int Image, int Text)> pairs,
        int blockSize = RetrievalRanks.DefaultBlockSize)
    {
        int images = (int)imageEmbeddings.Size(0), texts = (int)textEmbeddings.Size(0);
        var textsOfImage = Positives(images, pairs.Select(p => (p.Image, p.Text)), "image", texts);
        var imagesOfText = Positives(texts, pairs.Select(p => (p.Text, p.Image)), "text", images);
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var image = F.Normalize(imageEmbeddings);                                          // [N, E]
        var text = F.Normalize(textEmbeddings);                                            // [M, E]
        return new RetrievalResult(
            RankSummary.From(RetrievalRanks.Compute(image, text, textsOfImage, blockSize)),
            RankSummary.From(RetrievalRanks.Compute(text, image, imagesOfText, blockSize)));
    }

    /// <summary>Per query, its distinct positives in ascending order.</summary>
    private static IReadOnlyList<IReadOnlyList<int>> Positives(int queries, IEnumerable<(int Query, int Candidate)> pairs, string kind, int candidates)
    {
        var sets = Enumerable.Range(0, queries).Select(_ => new SortedSet<int>()).ToArray();
        foreach (var (q, c) in pairs)
        {
            if ((uint)q >= (uint)queries || (uint)c >= (uint)candidates)
                throw new ArgumentOutOfRangeException(nameof(pairs), $"pair ({kind} {q}, {c}) is outside the {queries} × {candidates} embeddings");
            sets[q].Add(c);
        }
        var lonely = Array.FindIndex(sets, s => s.Count == 0);
        if (lonely >= 0) throw new ArgumentException($"{kind} {lonely} is in no pair; drop it or pair it before evaluating");
        return sets.Select(s => (IReadOnlyList<int>)s.ToList()).ToList();
    }
}
