namespace MLNetClip.Data.Images;

/// <summary>
/// A-CLIP's three views of one image (Yang et al., ICCV 2023): two random crops for the online
/// encoder and a zoomed-out crop that covers both, for the EMA encoder. The cover starts as the
/// two crops' bounding box and grows to a random size: its left and top edges move out anywhere
/// between the box and the image's edge, and so do its right and bottom edges, so it always holds
/// both crops. (The released code draws the cover's top-left and its size separately, so a cover can
/// miss a crop's far edge, and takes the left edge from crop 2's height; ours does neither.)
/// </summary>
public static class CoveringViews
{
    /// <summary>Views per sample: online crop 1, online crop 2, the cover.</summary>
    public const int Count = 3;

    /// <summary>The three boxes in source pixels, each crop drawn as <see cref="RandomResizedCrop"/> does.</summary>
    public static CropBox[] Sample(int width, int height, double minScale, double maxScale, double minRatio, double maxRatio, Random random)
    {
        var a = RandomResizedCrop.Sample(width, height, minScale, maxScale, minRatio, maxRatio, random);
        var b = RandomResizedCrop.Sample(width, height, minScale, maxScale, minRatio, maxRatio, random);
        int left = Math.Min(a.X, b.X), top = Math.Min(a.Y, b.Y);
        int right = Math.Max(a.X + a.Width, b.X + b.Width), bottom = Math.Max(a.Y + a.Height, b.Y + b.Height);
        left = random.Next(left + 1);                                   // 0..left
        top = random.Next(top + 1);
        right += random.Next(width - right + 1);                        // right..width
        bottom += random.Next(height - bottom + 1);
        return [a, b, new CropBox(left, top, right - left, bottom - top)];
    }

    /// <summary>
    /// Writes <paramref name="boxes"/> as fractions of the image, (x0, y0, x1, y1) per box, into
    /// <paramref name="into"/> (4 floats per box): the form the attention map is resampled with.
    /// </summary>
    public static void WriteFractions(IReadOnlyList<CropBox> boxes, int width, int height, Span<float> into)
    {
        for (var v = 0; v < boxes.Count; v++)
        {
            var box = boxes[v];
            into[4 * v] = (float)box.X / width;
            into[4 * v + 1] = (float)box.Y / height;
            into[4 * v + 2] = (float)(box.X + box.Width) / width;
            into[4 * v + 3] = (float)(box.Y + box.Height) / height;
        }
    }
}
