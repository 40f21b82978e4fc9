using MLNetClip.Data.Images;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.AClip;

/// <summary>
/// A-CLIP's views for one batch: the two online crops stacked as [2B, 3, S, S] (view 1's rows,
/// then view 2's), the covers [B, 3, S, S] and every box as fractions of its image ([B, 3, 4]
/// row-major, the cover last). They come from the loader when it made covering views; otherwise
/// (a caller with plain images, such as the ML.NET estimator) they are cut from the batch's images
/// here, on the device, with the same box rule, bicubic resizing, and boxes drawn from the method's generator.
/// </summary>
public sealed class OnlineViews : IDisposable
{
    private OnlineViews(Tensor online, Tensor covers, float[] boxes)
    {
        Online = online.DetachFromScope();
        Covers = covers.DetachFromScope();
        Boxes = boxes;
    }

    public Tensor Online { get; }
    public Tensor Covers { get; }
    public float[] Boxes { get; }

    public static OnlineViews For(PretrainBatch batch, double minScale, double maxScale, Generator generator)
    {
        using var scope = DisposeScope.Begin();
        if (batch.Views is { } views)
        {
            var online = Tensor.Cat([views.Select(1, 0), views.Select(1, 1)], 0);      // [2B, 3, S, S]
            return new OnlineViews(online, views.Select(1, 2), batch.ViewBoxes!.To(ScalarType.Float32).ToArray<float>());
        }
        return Cut(batch.Images, minScale, maxScale, generator);
    }

    /// <summary>Three views of each of <paramref name="images"/> [B, 3, S, S], boxes drawn from <paramref name="generator"/>.</summary>
    public static OnlineViews Cut(Tensor images, double minScale, double maxScale, Generator generator)
    {
        using var scope = DisposeScope.Begin();
        long b = images.Size(0), h = images.Size(2), w = images.Size(3);
        var seed = Tensor.RandInt(0, int.MaxValue, [1], generator, device: generator.Device).ToArray<long>()[0];
        var random = new Random((int)seed);
        var boxes = new float[b * CoveringViews.Count * 4];
        var crops = new List<Tensor>[CoveringViews.Count];
        for (var v = 0; v < crops.Length; v++) crops[v] = new List<Tensor>();
        for (var s = 0; s < b; s++)
        {
            var picked = CoveringViews.Sample((int)w, (int)h, minScale, maxScale, 3.0 / 4, 4.0 / 3, random);
            CoveringViews.WriteFractions(picked, (int)w, (int)h, boxes.AsSpan(s * CoveringViews.Count * 4, CoveringViews.Count * 4));
            var image = images.Narrow(0, s, 1);                                         // [1, 3, H, W]
            for (var v = 0; v < picked.Length; v++)
            {
                var box = picked[v];
                var crop = image.Narrow(2, box.Y, box.Height).Narrow(3, box.X, box.Width);
                crops[v].Add(F.InterpolateBicubic(crop, h, w));                        // [1, 3, H, W]
            }
        }
        var online = Tensor.Cat([.. crops[0], .. crops[1]], 0);                         // [2B, 3, H, W]
        return new OnlineViews(online, Tensor.Cat(crops[2], 0), boxes);
    }

    public void Dispose()
    {
        Online.Dispose();
        Covers.Dispose();
    }
}
