using System.IO.Compression;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.FashionMnist;

namespace MLNetClip.Data.Tests;

/// <summary>Runs only where the Fashion-MNIST IDX files are installed (Debian's dataset-fashion-mnist).</summary>
internal sealed class FactWhenFashionMnistAttribute : FactAttribute
{
    public FactWhenFashionMnistAttribute()
    {
        if (!FashionMnistDataset.IsAvailable())
            Skip = $"Fashion-MNIST is not in {FashionMnistDataset.ResolveDirectory()} (apt-get install dataset-fashion-mnist)";
    }
}

public class FashionMnistTests
{
    // The first labels of each part, as Python's gzip module reads them from the Debian files.
    private static readonly byte[] FirstTrainLabels = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9, 1, 0, 6, 4];
    private static readonly byte[] FirstTestLabels = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0];

    // Decompressing 55 MB takes seconds; both tests share one read.
    private static readonly Lazy<(FashionMnistSplit Train, FashionMnistSplit Test)> Installed = new(() =>
        (FashionMnistDataset.Load(FashionMnistPart.Train), FashionMnistDataset.Load(FashionMnistPart.Test)));

    [FactWhenFashionMnist]
    public void TrainAndTestHaveTheirPublishedSizesAndBalancedClasses()
    {
        var (train, test) = Installed.Value;

        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(60_000 * 28 * 28, train.Pixels.Length);
        // Fashion-MNIST is exactly balanced: 6,000 and 1,000 images per class.
        Assert.All(train.Labels.CountBy(l => l), c => Assert.Equal(6_000, c.Value));
        Assert.All(test.Labels.CountBy(l => l), c => Assert.Equal(1_000, c.Value));
        Assert.Equal(10, train.Labels.Distinct().Count());
    }

    [FactWhenFashionMnist]
    public void KnownLabelsAndPixels()
    {
        var (train, test) = Installed.Value;

        Assert.Equal(FirstTrainLabels, train.Labels[..20]);
        Assert.Equal(FirstTestLabels, test.Labels[..20]);
        Assert.Equal("Ankle boot", train.ClassName(0));
        Assert.Equal("T-shirt/top", train.ClassName(1));
        Assert.Equal("Pullover", test.ClassName(1));
        // Sum of the first training image's pixels, and its 14th row, from the same Python read.
        Assert.Equal(76_247, train.Image(0).ToArray().Sum(b => b));
        Assert.Equal(Convert.FromHexString("000001040607020000000000EDE2D9DFDEDBDEDDD8DFE5D7DAFF4D00"), train.Image(0).Slice(14 * 28, 28).ToArray());
    }

    [Fact]
    public void HeaderProblemsAreNamedWithFileAndOffset()
    {
        using var dir = new TempDirectory();
        WriteValid(dir, images: 3);
        Assert.Equal(3, FashionMnistDataset.Load(FashionMnistPart.Test, dir.Path).Count);

        AssertBad(dir, "t10k-images-idx3-ubyte", Idx(0x08, [3, 28, 28], 3 * 784)[..100], "byte 16", "truncated");
        AssertBad(dir, "t10k-images-idx3-ubyte", Idx(0x0D, [3, 28, 28], 3 * 784), "byte 2", "element type is 0x0D");
        AssertBad(dir, "t10k-images-idx3-ubyte", Idx(0x08, [3, 784], 3 * 784), "byte 3", "2 dimensions, expected 3");
        AssertBad(dir, "t10k-images-idx3-ubyte", Idx(0x08, [3, 32, 32], 3 * 1024), "byte 8", "32x32");
        AssertBad(dir, "t10k-images-idx3-ubyte", [0x1F, 0x8B, 1, 2, 3], "gzip", "does not decompress");
        AssertBad(dir, "t10k-images-idx3-ubyte", [1, 2, 8, 3, 0, 0], "byte 0", "not an IDX file");
        AssertBad(dir, "t10k-labels-idx1-ubyte", Idx(0x08, [2], 2), "byte 4", "2 labels but 3 images");
        var badLabel = Idx(0x08, [3], 3);
        badLabel[9] = 10;
        AssertBad(dir, "t10k-labels-idx1-ubyte", badLabel, "byte 9", "label 10 of item 1");
    }

    [Fact]
    public void MissingFilesNameTheFolderAndThePackage()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<FileNotFoundException>(() => FashionMnistDataset.Load(FashionMnistPart.Train, dir.Path));
        Assert.Contains(dir.Path, ex.Message);
        Assert.Contains("dataset-fashion-mnist", ex.Message);
        Assert.False(FashionMnistDataset.IsAvailable(dir.Path));
    }

    private static void WriteValid(TempDirectory dir, int images)
    {
        dir.Write("t10k-images-idx3-ubyte", Idx(0x08, [images, 28, 28], images * 784));
        dir.Write("t10k-labels-idx1-ubyte.gz", Gzip(Idx(0x08, [images], images)));
    }

    private static void AssertBad(TempDirectory dir, string file, byte[] content, string where, string what)
    {
        WriteValid(dir, 3);
        if (file.Contains("labels")) File.Delete(dir.File("t10k-labels-idx1-ubyte.gz"));
        var path = dir.Write(file, content);
        var ex = Assert.Throws<DatasetFormatException>(() => FashionMnistDataset.Load(FashionMnistPart.Test, dir.Path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(where, ex.Message);
        Assert.Contains(what, ex.Message);
        File.Delete(path);
    }

    /// <summary>An IDX file written by hand from the format's definition; values are i mod 10.</summary>
    private static byte[] Idx(byte type, int[] dims, int values)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(Enumerable.Range(0, values).Select(i => (byte)(i % 10)));
        return bytes.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }
}
