using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetClip.Data.Images;
using MLNetClip.Torch;

namespace MLNetClip.Transforms.Embedding;

/// <summary>The three ways an image column can hold its images.</summary>
internal enum ImageColumnKind
{
    /// <summary>An <see cref="MLImage"/> (from <c>LoadImages</c>): decoded pixels.</summary>
    Image,

    /// <summary>Text: the path of an encoded image file (JPEG or PNG).</summary>
    Path,

    /// <summary>A vector of bytes: an encoded image file held in memory.</summary>
    Bytes,
}

/// <summary>
/// Reads images out of an ML.NET column into the evaluation preprocessing. Every kind ends in the
/// same pixels for the same picture: paths and bytes go through our decoder, and an MLImage's
/// 8-bit pixels (SkiaSharp decoded them) are handed over as RGB, so an opaque PNG gives identical
/// batches whichever way it arrives.
/// </summary>
internal static class ImageColumn
{
    public const string Expected = "an image (MLImage from LoadImages), a path (String) or encoded bytes (Vector<Byte>)";

    /// <summary>The column's kind; a missing or mistyped column fails naming it and what was expected.</summary>
    public static ImageColumnKind Classify(DataViewSchema schema, string name, string transform)
    {
        var column = schema.GetColumnOrNull(name)
                     ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{transform}: input column '{name}' not found; expected {Expected}");
        return column.Type switch
        {
            ImageDataViewType => ImageColumnKind.Image,
            TextDataViewType => ImageColumnKind.Path,
            VectorDataViewType { ItemType: var item } when item == NumberDataViewType.Byte => ImageColumnKind.Bytes,
            _ => throw new ArgumentOutOfRangeException(nameof(schema),
                $"{transform}: input column '{name}' is {column.Type}; expected {Expected}"),
        };
    }

    /// <summary>Copies the row's image out of the cursor: a <see cref="DecodedImage"/>, a path, or the encoded bytes.</summary>
    public static Func<object> CreateReader(DataViewRow cursor, string name, ImageColumnKind kind)
    {
        var column = cursor.Schema[name];
        switch (kind)
        {
            case ImageColumnKind.Image:
            {
                var getter = cursor.GetGetter<MLImage>(column);
                return () =>
                {
                    MLImage image = null!;
                    getter(ref image);
                    if (image is null) throw new InvalidDataException($"column '{name}': row {cursor.Position} has no image");
                    return ToRgb(image);
                };
            }
            case ImageColumnKind.Path:
            {
                var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                return () =>
                {
                    var text = default(ReadOnlyMemory<char>);
                    getter(ref text);
                    return text.ToString();
                };
            }
            default:
            {
                var getter = cursor.GetGetter<VBuffer<byte>>(column);
                return () =>
                {
                    var bytes = default(VBuffer<byte>);
                    getter(ref bytes);
                    return bytes.DenseValues().ToArray();
                };
            }
        }
    }

    /// <summary>Preprocesses one copied image into <c>batch[slot]</c>.</summary>
    public static void WriteInto(ImagePreprocessor preprocessor, Tensor batch, int slot, object image)
    {
        switch (image)
        {
            case DecodedImage pixels: preprocessor.WriteInto(batch, slot, pixels); break;
            case string path: preprocessor.WriteInto(batch, slot, path); break;
            case byte[] bytes: preprocessor.WriteInto(batch, slot, bytes, name: "image bytes"); break;
            default: throw new ArgumentException($"not an image: {image.GetType().Name}", nameof(image));
        }
    }

    /// <summary>
    /// An MLImage's pixels as interleaved RGB. Alpha is dropped: LoadImages gives opaque pictures
    /// alpha 255, and for those this is exact.
    /// </summary>
    internal static DecodedImage ToRgb(MLImage image)
    {
        var source = image.Pixels;
        var (r, b) = image.PixelFormat switch
        {
            MLPixelFormat.Bgra32 => (2, 0),
            MLPixelFormat.Rgba32 => (0, 2),
            _ => throw new InvalidDataException($"MLImage pixel format {image.PixelFormat} is not supported; expected Bgra32 or Rgba32"),
        };
        var pixels = image.Width * image.Height;
        var rgb = new byte[pixels * 3];
        for (var i = 0; i < pixels; i++)
        {
            rgb[3 * i] = source[4 * i + r];
            rgb[3 * i + 1] = source[4 * i + 1];
            rgb[3 * i + 2] = source[4 * i + b];
        }
        return new DecodedImage(rgb, image.Width, image.Height, 3);
    }
}
