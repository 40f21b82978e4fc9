namespace MLNetClip.Data.FashionMnist;

/// <summary>
/// Zalando's Fashion-MNIST (28x28 grey-scale clothing images in 10 classes), read from the IDX
/// files that Debian's <c>dataset-fashion-mnist</c> package installs, for linear probing.
/// </summary>
public static class FashionMnistDataset
{
    /// <summary>Where Debian's package puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>An environment variable that, when set, replaces <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryVariable = "MLNETCLIP_FASHION_MNIST";

    public const int ImageSize = 28;

    /// <summary>The class names, indexed by label, as the data set's authors give them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The folder used when none is given: <see cref="DirectoryVariable"/> if set, else the Debian location.</summary>
    public static string ResolveDirectory(string? directory = null)
    {
        if (directory is not null) return directory;
        var fromEnvironment = Environment.GetEnvironmentVariable(DirectoryVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? DefaultDirectory : fromEnvironment;
    }

    /// <summary>True when both parts' files are present (plain or gzipped).</summary>
    public static bool IsAvailable(string? directory = null)
    {
        var dir = ResolveDirectory(directory);
        return new[] { FashionMnistPart.Train, FashionMnistPart.Test }.All(p =>
            FindFile(dir, FilePrefix(p) + "-images-idx3-ubyte") is not null &&
            FindFile(dir, FilePrefix(p) + "-labels-idx1-ubyte") is not null);
    }

    /// <summary>Reads one part, checking both files' headers and that images and labels agree.</summary>
    public static FashionMnistSplit Load(FashionMnistPart part, string? directory = null)
    {
        var dir = ResolveDirectory(directory);
        var imagesPath = Require(dir, FilePrefix(part) + "-images-idx3-ubyte");
        var labelsPath = Require(dir, FilePrefix(part) + "-labels-idx1-ubyte");
        var (imageDims, pixels) = IdxFile.ReadBytes(imagesPath, rank: 3);
        var (labelDims, labels) = IdxFile.ReadBytes(labelsPath, rank: 1);
        if (imageDims[1] != ImageSize || imageDims[2] != ImageSize)
            throw new Datasets.DatasetFormatException(imagesPath, "byte 8",
                $"the images are {imageDims[1]}x{imageDims[2]}, expected {ImageSize}x{ImageSize}");
        if (imageDims[0] != labelDims[0])
            throw new Datasets.DatasetFormatException(labelsPath, "byte 4",
                $"there are {labelDims[0]} labels but {imageDims[0]} images in {imagesPath}");
        var bad = Array.FindIndex(labels, l => l >= ClassNames.Count);
        if (bad >= 0)
            throw new Datasets.DatasetFormatException(labelsPath, $"byte {8 + bad}",
                $"label {labels[bad]} of item {bad} is not a class (expected 0..{ClassNames.Count - 1})");
        return new FashionMnistSplit(part, pixels, labels);
    }

    private static string FilePrefix(FashionMnistPart part) => part == FashionMnistPart.Train ? "train" : "t10k";

    private static string? FindFile(string dir, string stem) =>
        new[] { stem, stem + ".gz" }.Select(n => Path.Combine(dir, n)).FirstOrDefault(File.Exists);

    private static string Require(string dir, string stem) =>
        FindFile(dir, stem) ?? throw new FileNotFoundException(
            $"Fashion-MNIST file '{stem}' (or '{stem}.gz') is not in '{dir}'; install Debian's dataset-fashion-mnist " +
            $"or set {DirectoryVariable} to the folder holding the IDX files", Path.Combine(dir, stem));
}
