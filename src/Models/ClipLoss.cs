using MLNetClip.Torch;

namespace MLNetClip.Models;

/// <summary>
/// CLIP's symmetric contrastive loss: image i and caption i are the positive pair; the mean of the
/// cross-entropies over images and over captions. Subclasses add terms (distillation, masking).
/// </summary>
public class ClipLoss
{
    /// <summary>The name of the contrastive term in <see cref="LossTerms"/>.</summary>
    public const string ContrastiveLoss = "ContrastiveLoss";

    /// <param name="imageFeatures">L2-normalised image embeddings [B, E].</param>
    /// <param name="textFeatures">L2-normalised text embeddings [B, E], row i paired with image i.</param>
    /// <param name="logitScale">The (already exponentiated) temperature factor, a 0-d tensor.</param>
    public virtual LossTerms Forward(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale)
    {
        var terms = new LossTerms();
        terms.Add(ContrastiveLoss, Contrastive(imageFeatures, textFeatures, logitScale));
        return terms;
    }

    /// <summary>
    /// (CE(logits per image) + CE(logits per text)) / 2, a 0-d tensor. Inside a data-parallel
    /// <see cref="BatchShard"/> the features of every rank are gathered with their gradients: by
    /// default every rank scores the whole global batch (open_clip's gather_with_grad); with
    /// LocalLoss only its own rows against every rank's columns, labels offset by its first row.
    /// Either way the ranks' averaged gradients are the single-process gradient of the global batch.
    /// </summary>
    protected static Tensor Contrastive(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale)
    {
        using var scope = DisposeScope.Begin();
        var n = imageFeatures.Size(0);
        if (textFeatures.Size(0) != n)
            throw new ArgumentException($"image and text batches differ: {n} vs {textFeatures.Size(0)}", nameof(textFeatures));
        if (BatchShard.Current is { } shard)
        {
            var allImages = shard.GatherWithGrad(imageFeatures);                       // [W·B, E]
            var allTexts = shard.GatherWithGrad(textFeatures);                         // [W·B, E]
            if (!shard.LocalLoss) return Symmetric(allImages, allTexts, logitScale).MoveToOuterScope();
            var perImageLocal = logitScale * imageFeatures.MatMul(allTexts.MT);        // [B, W·B]
            var perTextLocal = logitScale * textFeatures.MatMul(allImages.MT);         // [B, W·B]
            var mine = Tensor.Arange(shard.Rank * n, (shard.Rank + 1) * n, 1, ScalarType.Int64, perImageLocal.Device); // [B] rows in the gather
            return ((F.CrossEntropy(perImageLocal, mine) + F.CrossEntropy(perTextLocal, mine)) / 2).MoveToOuterScope();
        }
        return Symmetric(imageFeatures, textFeatures, logitScale).MoveToOuterScope();
    }

    private static Tensor Symmetric(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale)
    {
        var perImage = logitScale * imageFeatures.MatMul(textFeatures.MT);             // [N, N]
        var labels = Tensor.Arange(imageFeatures.Size(0), ScalarType.Int64, perImage.Device); // [N]
        return (F.CrossEntropy(perImage, labels) + F.CrossEntropy(perImage.MT, labels)) / 2;
    }
}
