using System.Security.Cryptography;
using MLNetClip.Data.Images;

namespace MLNetClip.Data.Emoji;

/// <summary>
/// Content hashes of the benchmark's pictures, used to find pixel-identical drawings of different
/// concepts (<see cref="EmojiFamilies"/>). Two files hash alike exactly when they decode to the
/// same size and the same RGBA pixels, counting every fully transparent pixel as one colour:
/// how a PNG is compressed, or which colour an invisible pixel happens to store, does not matter.
/// </summary>
public static class EmojiPictureHashes
{
    private static readonly ImageDecodeOptions KeepAlpha = new() { Alpha = AlphaHandling.Keep };

    /// <summary>A hex digest of the visible pixels of a decoded image.</summary>
    public static string Of(DecodedImage image)
    {
        var rgba = ToRgba(image);
        for (var i = 0; i < rgba.Length; i += 4)
            if (rgba[i + 3] == 0) rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(image.Width));
        sha.AppendData(BitConverter.GetBytes(image.Height));
        sha.AppendData(rgba);
        return Convert.ToHexString(sha.GetHashAndReset(), 0, 16);
    }

    /// <summary>A hex digest of an encoded PNG or JPEG; <paramref name="name"/> names it in errors.</summary>
    public static string Of(ReadOnlySpan<byte> encoded, string name) => Of(ImageDecoder.Decode(encoded, KeepAlpha, name));

    /// <summary>
    /// Hashes every picture in every style that draws it, from the built folder
    /// <paramref name="root"/>: codepoints → one hash per style.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Read(string root, IEnumerable<EmojiImage> pictures) =>
        pictures.ToDictionary(
            p => p.Codepoints,
            p => (IReadOnlyList<string>)EmojiManifest.StylesOf(p)
                .Select(style => Path.Combine(root, EmojiManifest.ImagePath(style, p)))
                .Select(path => Of(File.ReadAllBytes(path), path))
                .ToList(),
            StringComparer.Ordinal);

    private static byte[] ToRgba(DecodedImage image)
    {
        if (image.Channels == 4) return (byte[])image.Pixels.Clone();
        var rgba = new byte[image.Width * image.Height * 4];
        for (int src = 0, dst = 0; src < image.Pixels.Length; src += 3, dst += 4)
        {
            rgba[dst] = image.Pixels[src];
            rgba[dst + 1] = image.Pixels[src + 1];
            rgba[dst + 2] = image.Pixels[src + 2];
            rgba[dst + 3] = 255;
        }
        return rgba;
    }
}
