using MLNetClip.Data.Datasets;
using MLNetClip.Data.FashionMnist;
using MLNetClip.Data.Images;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Embedding;

/// <summary>Images an embedder can write, one at a time, into a batch slot through a preprocessor.</summary>
public interface IImageList
{
    int Count { get; }

    /// <summary>Preprocesses image <paramref name="index"/> into <c>batch[slot]</c>; safe to call from several threads at once.</summary>
    void WriteInto(ImagePreprocessor preprocessor, Tensor batch, int slot, int index);
}

/// <summary>The images of data-set records (files or shard members); a missing or broken one fails naming its file.</summary>
public sealed class RecordImages(IReadOnlyList<ImageTextRecord> records) : IImageList
{
    public int Count => records.Count;

    public void WriteInto(ImagePreprocessor preprocessor, Tensor batch, int slot, int index)
    {
        var record = records[index];
        preprocessor.WriteInto(batch, slot, record.ReadImageBytes(), name: record.ImagePath ?? record.Origin);
    }
}

/// <summary>
/// Fashion-MNIST's grey 28×28 images, the first <paramref name="count"/> of a part, as RGB with three
/// equal channels (the towers expect colour), resized like any other image.
/// </summary>
public sealed class FashionMnistImages(FashionMnistSplit split, int count) : IImageList
{
    public int Count { get; } = count >= 0 && count <= split.Count
        ? count
        : throw new ArgumentOutOfRangeException(nameof(count), count, $"Fashion-MNIST's {split.Part} part has {split.Count} images");

    public IReadOnlyList<int> Labels => split.Labels.Take(Count).Select(l => (int)l).ToList();

    public void WriteInto(ImagePreprocessor preprocessor, Tensor batch, int slot, int index)
    {
        var grey = split.Image(index);
        var rgb = new byte[grey.Length * 3];
        for (var i = 0; i < grey.Length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];
        const int side = FashionMnistDataset.ImageSize;
        preprocessor.WriteInto(batch, slot, new DecodedImage(rgb, side, side, 3));
    }
}
