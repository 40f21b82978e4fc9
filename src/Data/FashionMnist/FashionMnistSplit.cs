namespace MLNetClip.Data.FashionMnist;

/// <summary>One part of Fashion-MNIST held in memory: pixels row-major, one byte each, 0 = background.</summary>
public sealed class FashionMnistSplit
{
    internal FashionMnistSplit(FashionMnistPart part, byte[] pixels, byte[] labels)
    {
        Part = part;
        Pixels = pixels;
        Labels = labels;
    }

    public FashionMnistPart Part { get; }

    public int Count => Labels.Length;

    /// <summary>All images, [Count, 28, 28] row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>The class index of each image.</summary>
    public byte[] Labels { get; }

    /// <summary>The 784 pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        const int n = FashionMnistDataset.ImageSize * FashionMnistDataset.ImageSize;
        return Pixels.AsSpan(index * n, n);
    }

    public string ClassName(int index) => FashionMnistDataset.ClassNames[Labels[index]];
}
