using System.Runtime.InteropServices;
using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Data.Images;

/// <summary>
/// Decodes JPEG (libjpeg-turbo) and PNG (libpng, every colour type and bit depth) into
/// 8-bit RGB, or RGBA when asked to keep alpha. Failures throw <see cref="ImageDecodeException"/>
/// naming the file.
/// </summary>
public static unsafe class ImageDecoder
{
    /// <summary>Reads the header only.</summary>
    public static ImageInfo Probe(string path) => Probe(File.ReadAllBytes(path), path);

    /// <summary>Reads the header only. <paramref name="name"/> is used in error messages.</summary>
    public static ImageInfo Probe(ReadOnlySpan<byte> encoded, string? name = null)
    {
        Span<long> info = stackalloc long[6];
        fixed (byte* data = encoded)
        fixed (long* i = info)
        {
            if (N.mlc_image_probe(data, encoded.Length, i) == 0) throw Failure(name);
        }
        return new ImageInfo((ImageFormat)info[0], (int)info[1], (int)info[2], (int)info[3], (int)info[4], (int)info[5]);
    }

    public static DecodedImage Decode(string path, ImageDecodeOptions? options = null) =>
        Decode(File.ReadAllBytes(path), options, path);

    /// <summary>Decodes in-memory bytes. <paramref name="name"/> is used in error messages.</summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, ImageDecodeOptions? options = null, string? name = null)
    {
        options ??= ImageDecodeOptions.Default;
        options.Validate();
        Span<long> raw = stackalloc long[ImageDecodeOptions.NativeLength];
        options.WriteNative(raw);
        Span<long> dims = stackalloc long[3];
        fixed (byte* data = encoded)
        fixed (long* o = raw)
        fixed (long* d = dims)
        {
            // First the size (header only, bomb guard included), then the pixels.
            if (N.mlc_image_decode(data, encoded.Length, o, null, 0, d) == 0) throw Failure(name);
            var bytes = dims[0] * dims[1] * dims[2];
            if (bytes > Array.MaxLength)
                throw new ImageDecodeException(name ?? "<image bytes>", $"{dims[0]} x {dims[1]} x {dims[2]} bytes do not fit in one array");
            var pixels = GC.AllocateUninitializedArray<byte>((int)bytes);
            fixed (byte* p = pixels)
            {
                if (N.mlc_image_decode(data, encoded.Length, o, p, pixels.Length, d) == 0) throw Failure(name);
            }
            return new DecodedImage(pixels, (int)dims[0], (int)dims[1], (int)dims[2]);
        }
    }

    /// <summary>Reads and clears this thread's native error as an exception naming the source.</summary>
    internal static ImageDecodeException Failure(string? name) =>
        new(name ?? "<image bytes>", TakeNativeError());

    internal static string TakeNativeError()
    {
        var ptr = N.mlc_last_error();
        var message = ptr == IntPtr.Zero ? "the native decoder failed without a message" : Marshal.PtrToStringUTF8(ptr)!;
        N.mlc_clear_error();
        return message.Trim();
    }
}
