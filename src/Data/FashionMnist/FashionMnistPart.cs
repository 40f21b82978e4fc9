namespace MLNetClip.Data.FashionMnist;

/// <summary>Which half of Fashion-MNIST.</summary>
public enum FashionMnistPart
{
    /// <summary>The 60,000 training images.</summary>
    Train,

    /// <summary>The 10,000 test images.</summary>
    Test,
}
