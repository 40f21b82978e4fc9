using MLNetClip.Data.Images;
using MLNetClip.Torch;

namespace MLNetClip.Reports.Pictures;

/// <summary>
/// An image as the model sees it: open_clip's evaluation crop (shorter side resized, centre
/// crop) as a CLIP-normalised input, and the same crop drawn at a display size. Both come from
/// one geometry, so a patch of the input lies exactly under the same patch of the picture.
/// </summary>
public sealed class ExampleImage : IDisposable
{
    private static readonly ImageNormalization Unit = new([0f, 0f, 0f], [1f, 1f, 1f]);

    private ExampleImage(Tensor input, RgbImage picture)
    {
        Input = input.DetachFromScope();
        Picture = picture;
    }

    /// <summary>The model's input [1, 3, S, S], CLIP-normalised.</summary>
    public Tensor Input { get; }

    /// <summary>The same crop, <c>displaySize</c> pixels square.</summary>
    public RgbImage Picture { get; }

    /// <summary>Reads an image file; decoding failures name the file.</summary>
    public static ExampleImage Load(string path, int modelSize, int displaySize) =>
        Load(File.ReadAllBytes(path), modelSize, displaySize, path);

    /// <summary>Decodes an encoded image (PNG or JPEG); <paramref name="name"/> labels errors.</summary>
    public static ExampleImage Load(ReadOnlySpan<byte> encoded, int modelSize, int displaySize, string name)
    {
        using var scope = DisposeScope.Begin();
        var model = ImagePreprocessor.Evaluation(modelSize);
        var input = model.NewBatch(1);                                                  // [1, 3, S, S]
        model.WriteInto(input, 0, encoded, name: name);
        var display = new ImagePreprocessor(new ImagePreprocessorOptions { Size = displaySize, Normalization = Unit });
        var pixels = display.NewBatch(1);                                               // [1, 3, P, P] in [0, 1]
        display.WriteInto(pixels, 0, encoded, name: name);
        return new ExampleImage(input, RgbImage.FromTensor(pixels.Select(0, 0)));
    }

    public void Dispose() => Input.Dispose();
}
