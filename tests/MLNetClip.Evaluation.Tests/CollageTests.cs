using MLNetClip.Data.Images;
using MLNetClip.Evaluation.Segmentation;

namespace MLNetClip.Evaluation.Tests;

/// <summary>Collage label maps against hand-drawn ones, pixel by pixel, and the layout's determinism.</summary>
public class CollageTests
{
    private static readonly CollageOptions Eight = new() { CanvasSize = 8, Background = 0x102030 };

    // 2×2 RGBA: opaque red, transparent green, alpha 127 blue (just under half), alpha 128 grey (just over).
    private static CollageSprite Quads(int label) => new(new DecodedImage(
    [
        255, 0, 0, 255, 0, 255, 0, 0,
        0, 0, 255, 127, 100, 100, 100, 128,
    ], 2, 2, 4), label);

    private static CollageSprite Opaque(int label, byte value) => new(new DecodedImage([value, value, value], 1, 1, 3), label);

    [Fact]
    public void MasksAreThePastedAlphaAtHalfWithLaterPicturesOnTop()
    {
        var builder = new CollageBuilder(Eight);
        // Quads doubled to 4×4 at (1, 2), then a 1×1 RGB (opaque) picture doubled to 2×2 at (2, 3) over it.
        var collage = builder.Render([(Quads(1), new CollagePlacement(0, 0, 1, 2, 4)), (Opaque(2, 50), new CollagePlacement(1, 0, 2, 3, 2))]);
        string[] expected =
        [
            "00000000",
            "00000000",
            "01100000",  // red quarter: 1; transparent quarter: background
            "01220000",  // the second picture covers (2..3, 3..4)
            "00221000",  // alpha 127: background; alpha 128: 1
            "00011000",
            "00000000",
            "00000000",
        ];
        Assert.Equal(string.Concat(expected), string.Concat(collage.Labels));
        Assert.Equal([1, 2], collage.Placements.Select(p => p.Label));

        byte[] Pixel(int x, int y) => collage.Image.Pixels.AsSpan((y * 8 + x) * 3, 3).ToArray();
        Assert.Equal([0x10, 0x20, 0x30], Pixel(0, 0));                   // untouched canvas
        Assert.Equal([255, 0, 0], Pixel(1, 2));                          // opaque: the picture's colour
        Assert.Equal([0x10, 0x20, 0x30], Pixel(4, 2));                   // alpha 0: the canvas
        Assert.Equal([50, 50, 50], Pixel(3, 4));                         // the top picture
        // Alpha 127 over the canvas: round((c·127 + bg·128) / 255).
        Assert.Equal([(byte)((0x10 * 128 + 127) / 255), (byte)((0x20 * 128 + 127) / 255), (byte)((255 * 127 + 0x30 * 128 + 127) / 255)], Pixel(1, 5));
        Assert.Equal([(byte)((100 * 128 + 0x10 * 127 + 127) / 255), (byte)((100 * 128 + 0x20 * 127 + 127) / 255), (byte)((100 * 128 + 0x30 * 127 + 127) / 255)], Pixel(4, 5));
    }

    [Fact]
    public void ShrunkPicturesTakeTheNearestSourcePixelsAlpha()
    {
        // A 4×4 picture whose alpha is 255 only in its left column, shrunk to 2×2: output column 0 reads source column 0.
        var rgba = new byte[4 * 4 * 4];
        for (var y = 0; y < 4; y++) rgba[(y * 4) * 4 + 3] = 255;
        var collage = new CollageBuilder(Eight).Render([(new CollageSprite(new DecodedImage(rgba, 4, 4, 4), 3), new CollagePlacement(0, 0, 5, 0, 2))]);
        Assert.Equal("00000300" + "00000300" + new string('0', 48), string.Concat(collage.Labels));
    }

    [Fact]
    public void LayoutsDependOnlyOnTheSeedAndCanvasAndStayInside()
    {
        var options = new CollageOptions { CanvasSize = 40, PerCanvas = 5, MinScale = 0.2, MaxScale = 0.6, Seed = 7 };
        var a = new CollageBuilder(options);
        var b = new CollageBuilder(options);
        for (var canvas = 0; canvas < 20; canvas++)
        {
            var layout = a.Layout(canvas, 13);
            Assert.Equal(layout, b.Layout(canvas, 13));
            Assert.Equal(5, layout.Count);
            Assert.All(layout, p =>
            {
                Assert.InRange(p.Sprite, 0, 12);
                Assert.InRange(p.Side, 8, 24);
                Assert.InRange(p.X + p.Side, p.Side, 40);
                Assert.InRange(p.Y + p.Side, p.Side, 40);
            });
        }
        Assert.NotEqual(a.Layout(0, 13), a.Layout(1, 13));
        Assert.NotEqual(a.Layout(0, 13), new CollageBuilder(new CollageOptions { CanvasSize = 40, PerCanvas = 5, Seed = 8 }).Layout(0, 13));
    }

    [Fact]
    public void BadOptionsAndSquaresOutsideTheCanvasAreRefused()
    {
        Assert.Contains("MinScale", Assert.Throws<ArgumentOutOfRangeException>(() => new CollageBuilder(new CollageOptions { MinScale = 0.7, MaxScale = 0.5 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CollageBuilder(new CollageOptions { CanvasSize = 4 }));
        var builder = new CollageBuilder(Eight);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Render([(Opaque(1, 0), new CollagePlacement(0, 0, 7, 0, 2))]));
        Assert.Throws<ArgumentException>(() => builder.Render([(Opaque(0, 0), new CollagePlacement(0, 0, 0, 0, 2))]));
    }
}
