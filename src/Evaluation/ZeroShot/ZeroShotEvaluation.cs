using MLNetClip.Evaluation.Classification;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.ZeroShot;

/// <summary>A zero-shot classification's figures and what they were computed over.</summary>
/// <param name="Metrics">Top-1, top-5, balanced accuracy and the confusion matrix.</param>
/// <param name="ClassNames">The classes, indexed as in the confusion matrix.</param>
/// <param name="Templates">Prompt templates averaged per class.</param>
public sealed record ZeroShotResult(ClassificationResult Metrics, IReadOnlyList<string> ClassNames, int Templates);

/// <summary>
/// Zero-shot classification of labelled images: the classifier is built from the class names and
/// prompt templates (<see cref="ZeroShotClassifier.Build"/>), each image's projected embedding is
/// scored against it by cosine similarity, and the scores are summarised by <see cref="ClassificationMetrics"/>.
/// </summary>
public static class ZeroShotEvaluation
{
    public static ZeroShotResult Evaluate(ClipEmbedder embedder, LabelledImages data, IReadOnlyList<string> templates)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(data);
        if (data.ClassNames.Count < 2) throw new ArgumentException($"zero-shot classification needs at least 2 classes; the data has {data.ClassNames.Count}");
        var model = embedder.Model;
        model.RequireTextVocabulary();
        using var weights = ZeroShotClassifier.Build(model.Clip, model.Tokenizer, data.ClassNames, templates, embedder.BatchSize); // [C, E]
        using var images = embedder.ImageFeatures(new RecordImages(data.Images), ImageFeature.Embedding);                   // [N, E]
        using var scope = DisposeScope.Begin();
        var scores = ZeroShotClassifier.Scores(images.To(model.Device), weights);                     // [N, C]
        return new ZeroShotResult(ClassificationMetrics.Compute(scores, data.Labels), data.ClassNames, templates.Count);
    }
}
