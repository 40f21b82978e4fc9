using Microsoft.ML;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Transforms.Embedding;
using MLNetClip.Transforms.Pretrain;

namespace MLNetClip.Transforms;

/// <summary>The MLNetClip transforms on <c>mlContext.Transforms</c>: each a one-line construction, with an Options overload.</summary>
public static class MaskClipCatalog
{
    /// <summary>
    /// Embeds the images of <paramref name="inputColumnName"/> (MLImage, path or encoded bytes) with
    /// CLIP's vision tower into <paramref name="outputColumnName"/>, a Vector&lt;Single&gt; of known size.
    /// </summary>
    public static MaskClipEmbeddingEstimator MaskClipEmbed(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        EvaluationModel model, ImageFeature pooling = ImageFeature.Embedding, bool normalize = true, int batchSize = 64) =>
        new(new MaskClipEmbedOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Model = model, Pooling = pooling,
            Normalize = normalize, BatchSize = batchSize,
        });

    public static MaskClipEmbeddingEstimator MaskClipEmbed(this TransformsCatalog catalog, MaskClipEmbedOptions options) => new(options);

    /// <summary>Embeds the texts of <paramref name="inputColumnName"/> with CLIP's text tower into <paramref name="outputColumnName"/>.</summary>
    public static MaskClipTextEmbeddingEstimator MaskClipEmbedText(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        EvaluationModel model, bool normalize = true, int batchSize = 256) =>
        new(new MaskClipEmbedTextOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Model = model, Normalize = normalize, BatchSize = batchSize,
        });

    public static MaskClipTextEmbeddingEstimator MaskClipEmbedText(this TransformsCatalog catalog, MaskClipEmbedTextOptions options) => new(options);

    /// <summary>
    /// Pretrains a CLIP-family model (any method of PretrainOptions) on the image and caption columns
    /// at Fit, and returns the image-embedding transform of the trained model.
    /// </summary>
    public static MaskClipPretrainEstimator MaskClipPretrain(this TransformsCatalog catalog, MaskClipPretrainOptions options) => new(options);
}
