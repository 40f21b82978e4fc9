using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// One optimisation step's input, already on the training device. The loop builds it from a
/// loader batch (text trimmed to the longest caption, see <c>TextTrim</c>) and owns the tensors.
/// </summary>
public sealed class PretrainBatch : IDisposable
{
    public PretrainBatch(Tensor images, Tensor tokenIds)
    {
        if (images.Size(0) != tokenIds.Size(0))
            throw new ArgumentException($"images and captions differ in count: {images.Size(0)} vs {tokenIds.Size(0)}");
        Images = images;
        TokenIds = tokenIds;
    }

    /// <summary>[B, 3, S, S] float32, normalised.</summary>
    public Tensor Images { get; }

    /// <summary>[B, L] int64 CLIP ids, L ≤ the context length (trimmed by the loop).</summary>
    public Tensor TokenIds { get; }

    public long Count => Images.Size(0);

    public void Dispose()
    {
        Images.Dispose();
        TokenIds.Dispose();
    }
}
