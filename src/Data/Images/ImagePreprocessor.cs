using System.Runtime.ExceptionServices;
using MLNetClip.Torch;
using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Data.Images;

/// <summary>
/// Turns encoded images into CLIP input: [N, 3, Size, Size] float32, normalised, CHW. The
/// decode, resize (Pillow-exact bicubic with antialiasing), crop, flip and normalisation
/// all run natively, writing straight into the batch tensor.
/// </summary>
public sealed unsafe class ImagePreprocessor
{
    private readonly ImagePreprocessorOptions _options;

    public ImagePreprocessor(ImagePreprocessorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>open_clip's evaluation transform: shorter side to <paramref name="size"/>, centre crop, CLIP normalisation.</summary>
    public static ImagePreprocessor Evaluation(int size = 224, ImageDecodeOptions? decode = null) =>
        new(new ImagePreprocessorOptions { Size = size, Decode = decode ?? ImageDecodeOptions.Default });

    /// <summary>open_clip's training transform: RandomResizedCrop over the scale range, optional flip.</summary>
    public static ImagePreprocessor Training(int size = 224, double minScale = 0.9, double maxScale = 1.0, bool horizontalFlip = false) =>
        new(new ImagePreprocessorOptions
        {
            Size = size, Mode = ImagePreprocessMode.Training, MinScale = minScale, MaxScale = maxScale, HorizontalFlip = horizontalFlip,
        });

    public ImagePreprocessorOptions Options => _options;

    public int Size => _options.Size;

    public bool IsTraining => _options.Mode == ImagePreprocessMode.Training;

    /// <summary>Images written per sample: 3 with <see cref="ImagePreprocessorOptions.CoveringViews"/>, else 1.</summary>
    public int ViewCount => _options.CoveringViews ? CoveringViews.Count : 1;

    /// <summary>
    /// Decodes once and writes the three covering views into <c>batch[first]</c>, <c>batch[first + 1]</c>
    /// and <c>batch[first + 2]</c>; their boxes, as fractions of the image (x0, y0, x1, y1), go to <paramref name="boxes"/> (12 floats).
    /// </summary>
    public void WriteViewsInto(Tensor batch, int first, ReadOnlySpan<byte> encoded, Random random, Span<float> boxes, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!_options.CoveringViews) throw new InvalidOperationException("this preprocessor writes one view per image (CoveringViews is off)");
        var image = ImageDecoder.Decode(encoded, _options.Decode, name);
        var o = _options;
        var crops = CoveringViews.Sample(image.Width, image.Height, o.MinScale, o.MaxScale, o.MinRatio, o.MaxRatio, random);
        for (var v = 0; v < crops.Length; v++) WriteDecoded(batch, first + v, image, crops[v], flip: false);
        CoveringViews.WriteFractions(crops, image.Width, image.Height, boxes);
        if (!o.JitterOnlineViews) return;
        var pixels = Size * Size;
        for (var v = 0; v < CoveringViews.Count - 1; v++)                                  // the online views, not the cover
        {
            var view = new Span<float>((float*)batch.DataPointer + (long)(first + v) * 3 * pixels, 3 * pixels);
            ColourJitter.Apply(view, pixels, o.Normalization, ColourJitter.Sample(random));
        }
        GC.KeepAlive(batch);
    }

    /// <summary>An uninitialised batch of the right shape for <see cref="WriteInto(Tensor, int, string, Random?)"/>.</summary>
    public Tensor NewBatch(int count) => Tensor.Empty([count, 3, Size, Size]);

    /// <summary>Reads, decodes and writes one file into <c>batch[index]</c>. Training needs <paramref name="random"/>.</summary>
    public void WriteInto(Tensor batch, int index, string path, Random? random = null) =>
        WriteInto(batch, index, File.ReadAllBytes(path), random, path);

    /// <summary>Decodes encoded bytes into <c>batch[index]</c>. <paramref name="name"/> is used in error messages.</summary>
    public void WriteInto(Tensor batch, int index, ReadOnlySpan<byte> encoded, Random? random = null, string? name = null)
    {
        if (!IsTraining)
        {
            WriteEncoded(batch, index, encoded, null, false, name);
            return;
        }
        // The crop is drawn in full-size (oriented) pixels, so only the header is needed first.
        var (crop, flip) = Draw(random, ImageDecoder.Probe(encoded, name).DisplaySize(_options.Decode.ApplyExifOrientation));
        WriteEncoded(batch, index, encoded, crop, flip, name);
    }

    /// <summary>Writes already decoded pixels into <c>batch[index]</c>.</summary>
    public void WriteInto(Tensor batch, int index, DecodedImage image, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (crop, flip) = IsTraining ? Draw(random, (image.Width, image.Height)) : (null, false);
        WriteDecoded(batch, index, image, crop, flip);
    }

    /// <summary>
    /// A new batch from files. Training draws image i's crop from a generator seeded by
    /// (<paramref name="seed"/>, i), so the result does not depend on thread scheduling.
    /// </summary>
    public Tensor Batch(IReadOnlyList<string> paths, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Fill(paths.Count, seed, (batch, i, random) => WriteInto(batch, i, paths[i], random));
    }

    /// <summary>A new batch from encoded images held in memory; <paramref name="names"/> label errors.</summary>
    public Tensor Batch(IReadOnlyList<ReadOnlyMemory<byte>> encoded, int seed = 0, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Fill(encoded.Count, seed, (batch, i, random) =>
            WriteInto(batch, i, encoded[i].Span, random, names?[i] ?? $"image {i}"));
    }

    // Writes with an explicit crop; null means the evaluation geometry. Tests use it to
    // compare against a reference given the same crop.
    internal void WriteEncoded(Tensor batch, int index, ReadOnlySpan<byte> encoded, CropBox? crop, bool flip, string? name)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Span<long> options = stackalloc long[ImageDecodeOptions.NativeLength];
        _options.Decode.WriteNative(options);
        Span<long> geometry = stackalloc long[6];
        WriteGeometry(geometry, crop, flip);
        Span<float> norm = stackalloc float[6];
        _options.Normalization.WriteNative(norm);
        fixed (byte* data = encoded)
        fixed (long* o = options)
        fixed (long* g = geometry)
        fixed (float* n = norm)
        {
            var ok = N.mlc_image_preprocess_into(batch.Handle, index, data, encoded.Length, o, g, n);
            GC.KeepAlive(batch);
            if (ok == 0) throw ImageDecoder.Failure(name);
        }
    }

    internal void WriteDecoded(Tensor batch, int index, DecodedImage image, CropBox? crop, bool flip)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Span<long> geometry = stackalloc long[6];
        WriteGeometry(geometry, crop, flip);
        Span<float> norm = stackalloc float[6];
        _options.Normalization.WriteNative(norm);
        fixed (byte* p = image.Pixels)
        fixed (long* g = geometry)
        fixed (float* n = norm)
        {
            var ok = N.mlc_image_transform_into(batch.Handle, index, p, image.Width, image.Height, image.Channels, g, n);
            GC.KeepAlive(batch);
            if (ok == 0) throw new ArgumentException(ImageDecoder.TakeNativeError());
        }
    }

    private (CropBox? Crop, bool Flip) Draw(Random? random, (int Width, int Height) size)
    {
        if (random is null) throw new ArgumentNullException(nameof(random), "training preprocessing draws its crops from a Random");
        var (w, h) = size;
        var o = _options;
        var crop = RandomResizedCrop.Sample(w, h, o.MinScale, o.MaxScale, o.MinRatio, o.MaxRatio, random);
        var flip = o.HorizontalFlip && random.NextDouble() < 0.5;
        return (crop, flip);
    }

    private void WriteGeometry(Span<long> g, CropBox? crop, bool flip)
    {
        g[0] = Size;
        if (crop is { } c)
        {
            g[1] = c.X;
            g[2] = c.Y;
            g[3] = c.Width;
            g[4] = c.Height;
        }
        g[5] = flip ? 1 : 0;
    }

    private Tensor Fill(int count, int seed, Action<Tensor, int, Random> write)
    {
        var batch = NewBatch(count);
        try
        {
            if (_options.MaxDegreeOfParallelism == 1 || count < 2)
            {
                for (var i = 0; i < count; i++) write(batch, i, ImageSeeds.For(seed, i));
            }
            else
            {
                var errors = new Exception?[count];
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism }, i =>
                {
                    try { write(batch, i, ImageSeeds.For(seed, i)); }
                    catch (Exception e) { errors[i] = e; }
                });
                // The first failure by position, so the error does not depend on scheduling.
                var first = Array.Find(errors, e => e is not null);
                if (first is not null) ExceptionDispatchInfo.Capture(first).Throw();
            }
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }
}
