using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>
/// One optimisation step's input, already on the training device. The loop builds it from a
/// loader batch (text trimmed to the longest caption, see <c>TextTrim</c>) and owns the tensors.
/// </summary>
public sealed class PretrainBatch : IDisposable
{
    public PretrainBatch(Tensor images, Tensor tokenIds, Tensor? views = null, Tensor? viewBoxes = null)
    {
        if (views is not null && (viewBoxes is null || views.Size(0) != images.Size(0)))
            throw new ArgumentException($"views {views} need boxes for each of the {images.Size(0)} images");
        Views = views;
        ViewBoxes = viewBoxes;
        if (images.Size(0) != tokenIds.Size(0))
            throw new ArgumentException($"images and captions differ in count: {images.Size(0)} vs {tokenIds.Size(0)}");
        Images = images;
        TokenIds = tokenIds;
    }

    /// <summary>[B, 3, S, S] float32, normalised.</summary>
    public Tensor Images { get; }

    /// <summary>[B, L] int64 CLIP ids, L ≤ the context length (trimmed by the loop).</summary>
    public Tensor TokenIds { get; }

    /// <summary>
    /// From a loader with covering views: [B, 3, 3, S, S] (online crop 1, online crop 2, the cover),
    /// on the training device; otherwise null (a method that needs views then makes them from <see cref="Images"/>).
    /// </summary>
    public Tensor? Views { get; }

    /// <summary>With <see cref="Views"/>: float32 [B, 3, 4] on the CPU, each view's box as fractions of its image (x0, y0, x1, y1).</summary>
    public Tensor? ViewBoxes { get; }

    public long Count => Images.Size(0);

    public void Dispose()
    {
        Views?.Dispose();
        ViewBoxes?.Dispose();
        Images.Dispose();
        TokenIds.Dispose();
    }
}
