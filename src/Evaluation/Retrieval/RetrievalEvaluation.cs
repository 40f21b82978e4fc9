using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;

namespace MLNetClip.Evaluation.Retrieval;

/// <summary>An image–text retrieval's figures and the sizes of the set they were computed over.</summary>
/// <param name="Result">Both directions' recalls and ranks.</param>
/// <param name="Images">Distinct images (image→text queries).</param>
/// <param name="Texts">Distinct captions (text→image queries).</param>
/// <param name="Pairs">Distinct matching (image, caption) pairs.</param>
public sealed record RetrievalEvaluationResult(RetrievalResult Result, int Images, int Texts, int Pairs);

/// <summary>
/// Image→text and text→image retrieval over image–caption rows: the rows become distinct images,
/// distinct captions and their pairs (<see cref="RetrievalSet"/>), both are embedded with the
/// model's projections, and <see cref="ImageTextRetrieval"/> ranks them by cosine similarity.
/// </summary>
public static class RetrievalEvaluation
{
    public static RetrievalEvaluationResult Evaluate(ClipEmbedder embedder, IReadOnlyList<EvaluationRow> rows)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(rows);
        var set = RetrievalSet.From(rows.Select(r => (r.ImageKey, r.Text)));
        var records = rows.DistinctBy(r => r.ImageKey, StringComparer.Ordinal).Select(r => r.Record).ToList();  // in set.Images order
        embedder.Model.RequireTextVocabulary();
        using var texts = embedder.TextEmbeddings(set.Texts);                                    // [M, E]
        using var images = embedder.ImageFeatures(new RecordImages(records), ImageFeature.Embedding); // [N, E]
        var result = ImageTextRetrieval.Evaluate(images, texts, set.Pairs);
        return new RetrievalEvaluationResult(result, set.Images.Count, set.Texts.Count, set.Pairs.Count);
    }
}
