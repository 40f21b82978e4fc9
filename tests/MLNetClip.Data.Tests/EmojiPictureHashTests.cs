using MLNetClip.Data.Emoji;

namespace MLNetClip.Data.Tests;

/// <summary>Picture hashes see pixels, not files: encodings differ, hashes agree; one pixel differs, hashes differ.</summary>
public class EmojiPictureHashTests
{
    /// <summary>A 3×2 RGBA picture; the top-left pixel is fully transparent with the given stored colour.</summary>
    private static ushort[] Rgba(ushort hiddenRed = 0) =>
    [
        hiddenRed, 40, 50, 0,   255, 0, 0, 255,   0, 255, 0, 128,
        1, 2, 3, 255,           9, 9, 9, 255,     200, 100, 50, 255,
    ];

    private static byte[] Png(ushort[] samples, int colorType = ImagePngWriter.Rgba, bool interlaced = false, int chunks = 1) =>
        new ImagePngWriter { Width = 3, Height = 2, ColorType = colorType, BitDepth = 8, Samples = samples, Interlaced = interlaced, IdatChunks = chunks }.Encode();

    [Fact]
    public void TheSamePixelsHashAlikeHoweverTheyAreEncoded()
    {
        var plain = EmojiPictureHashes.Of(Png(Rgba()), "a.png");
        Assert.Equal(32, plain.Length);
        Assert.Equal(plain, EmojiPictureHashes.Of(Png(Rgba(), interlaced: true, chunks: 3), "b.png"));
        // An invisible pixel's stored colour is not part of the picture.
        Assert.Equal(plain, EmojiPictureHashes.Of(Png(Rgba(hiddenRed: 77)), "c.png"));
    }

    [Fact]
    public void OneChangedPixelOrAnotherSizeChangesTheHash()
    {
        var plain = EmojiPictureHashes.Of(Png(Rgba()), "a.png");
        var changed = Rgba();
        changed[^2] = 51;                                           // one channel of the last pixel
        Assert.NotEqual(plain, EmojiPictureHashes.Of(Png(changed), "b.png"));
        var alpha = Rgba();
        alpha[11] = 129;                                            // a half-transparent pixel's alpha
        Assert.NotEqual(plain, EmojiPictureHashes.Of(Png(alpha), "c.png"));
        var transposed = new ImagePngWriter { Width = 2, Height = 3, ColorType = ImagePngWriter.Rgba, BitDepth = 8, Samples = Rgba() }.Encode();
        Assert.NotEqual(plain, EmojiPictureHashes.Of(transposed, "d.png"));
    }

    [Fact]
    public void AnOpaqueRgbPictureHashesLikeTheSameRgbaOne()
    {
        ushort[] rgb = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var rgba = Enumerable.Range(0, 6).SelectMany(p => new[] { rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2], (ushort)255 }).ToArray();
        Assert.Equal(EmojiPictureHashes.Of(Png(rgba), "a.png"), EmojiPictureHashes.Of(Png(rgb, ImagePngWriter.Rgb), "b.png"));
    }

    [Fact]
    public void ReadHashesEveryStyleThatDrawsAPictureAndNamesABrokenFile()
    {
        using var dir = new TempDirectory();
        var shared = new EmojiImage("1F46A", "1f46a.png", "1F46A", "family", HasGoogle: true, HasTwitter: false);
        var other = new EmojiImage("1F600", "1f600.png", "1F600", "grinning face", HasGoogle: true, HasTwitter: true);
        var changed = Rgba();
        changed[4] = 254;
        dir.Write("images/google/1f46a.png", Png(Rgba()));
        dir.Write("images/openmoji/1f46a.png", Png(changed));
        dir.Write("images/google/1f600.png", Png(Rgba(hiddenRed: 9)));
        dir.Write("images/twitter/1f600.png", Png(changed));
        dir.Write("images/openmoji/1f600.png", Png(Rgba()));

        var hashes = EmojiPictureHashes.Read(dir.Path, [shared, other]);
        Assert.Equal(2, hashes[shared.Codepoints].Count);            // Google and OpenMoji; Twitter does not draw it
        Assert.Equal(3, hashes[other.Codepoints].Count);
        Assert.Equal(hashes[shared.Codepoints][0], hashes[other.Codepoints][0]);
        Assert.Equal(hashes[shared.Codepoints][1], hashes[other.Codepoints][1]);
        Assert.Equal(hashes[shared.Codepoints][0], hashes[other.Codepoints][2]);
        Assert.NotEqual(hashes[shared.Codepoints][0], hashes[shared.Codepoints][1]);

        dir.Write("images/twitter/1f600.png", [0x89, 0x50, 0x4E, 0x47, 1, 2]);
        var e = Assert.ThrowsAny<IOException>(() => EmojiPictureHashes.Read(dir.Path, [other]));
        Assert.Contains("twitter/1f600.png", e.Message);
    }
}
