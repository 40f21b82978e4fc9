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

    /// <summary>(CE(logits per image) + CE(logits per text)) / 2, a 0-d tensor.</summary>
    protected static Tensor Contrastive(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale)
    {
        using var scope = DisposeScope.Begin();
        var n = imageFeatures.Size(0);
        if (textFeatures.Size(0) != n)
            throw new ArgumentException($"image and text batches differ: {n} vs {textFeatures.Size(0)}", nameof(textFeatures));
        var perImage = logitScale * imageFeatures.MatMul(textFeatures.MT);             // [B, B]
        var labels = Tensor.Arange(n, ScalarType.Int64, perImage.Device);               // [B]
        var loss = (F.CrossEntropy(perImage, labels) + F.CrossEntropy(perImage.MT, labels)) / 2;
        return loss.MoveToOuterScope();
    }
}
