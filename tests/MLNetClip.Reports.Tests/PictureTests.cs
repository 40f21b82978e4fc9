using System.Globalization;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Reports.Pictures;
using MLNetClip.Torch;

namespace MLNetClip.Reports.Tests;

/// <summary>Heat-map overlays and mask pictures, pixel by pixel.</summary>
public class PictureTests
{
    private static RgbImage RandomPicture(int width, int height, int seed, int low = 0)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.Next(low, 256);
        return new RgbImage(width, height, pixels);
    }

    [Fact]
    public void Upsampling_a_2x2_map_matches_the_hand_worked_half_pixel_grid()
    {
        // Source positions of output columns 0..3 are −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        var map = new PatchMap(2, 2, [0, 1, 2, 3]);
        var up = HeatmapPicture.Upsample(map, 4, 4);
        float[] expected =
        [
            0.0f, 0.25f, 0.75f, 1.0f,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.0f, 2.25f, 2.75f, 3.0f,
        ];
        Assert.Equal(expected, up);
    }

    [PythonFact]
    public void Upsampling_matches_torch_bilinear_without_aligned_corners()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 3 * 5).Select(_ => (float)random.NextDouble()).ToArray();
        var ours = HeatmapPicture.Upsample(new PatchMap(3, 5, values), width: 17, height: 11);

        var text = Python.Run("""
            import sys, torch
            v = torch.tensor([float(x) for x in sys.stdin.read().split()]).view(1, 1, 3, 5)
            up = torch.nn.functional.interpolate(v, size=(11, 17), mode="bilinear", align_corners=False)
            print(" ".join(repr(float(x)) for x in up.flatten()))
            """, string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        var reference = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        Assert.Equal(11 * 17, reference.Length);
        for (var i = 0; i < reference.Length; i++) Assert.Equal(reference[i], ours[i], tolerance: 1e-6);  // torch computes in float32
    }

    [Fact]
    public void The_overlay_blends_each_pixel_with_its_scaled_value_s_colour()
    {
        var picture = RandomPicture(4, 4, seed: 1);
        var map = new PatchMap(2, 2, [-0.2f, 0.1f, 0.4f, 0.6f]);  // upsampled as in the hand-worked grid above

        var overlay = HeatmapPicture.Overlay(picture, map, opacity: 0.25);

        var up = HeatmapPicture.Upsample(map, 4, 4);
        double low = -0.2f, high = 0.6f;
        for (var y = 0; y < 4; y++)
            for (var x = 0; x < 4; x++)
            {
                var t = (up[y * 4 + x] - low) / (high - low);
                var colour = ColorMap.Heat.At(t);
                var under = picture[x, y];
                byte Blend(byte a, byte b) => (byte)Math.Round(0.75 * a + 0.25 * b, MidpointRounding.AwayFromZero);
                Assert.Equal((Blend(under.R, colour.R), Blend(under.G, colour.G), Blend(under.B, colour.B)), overlay[x, y]);
            }
        // The corners sit on the lowest and highest patch values: the ramp's two ends.
        Assert.Equal(ColorMap.Heat.At(0), HeatmapPicture.Overlay(picture, map, opacity: 1)[0, 0]);
        Assert.Equal(ColorMap.Heat.At(1), HeatmapPicture.Overlay(picture, map, opacity: 1)[3, 3]);
    }

    [Fact]
    public void A_flat_map_is_drawn_at_mid_scale()
    {
        var overlay = HeatmapPicture.Overlay(RandomPicture(3, 3, 2), new PatchMap(1, 1, [0.7f]), opacity: 1);
        Assert.All(Enumerable.Range(0, 9), i => Assert.Equal(ColorMap.Heat.At(0.5), overlay[i % 3, i / 3]));
    }

    [Fact]
    public void Mask_drawing_changes_exactly_the_removed_patches_as_specified()
    {
        // 64 × 48 pixels over a 4 × 4 grid: patches of 16 × 12. Pixel values ≥ 4, so dimming always changes them.
        var picture = RandomPicture(64, 48, seed: 3, low: 4);
        float[] mask = [1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0];

        var drawn = MaskPicture.Draw(picture, new PatchMap(4, 4, mask));

        for (var y = 0; y < 48; y++)
            for (var x = 0; x < 64; x++)
            {
                var removed = mask[(y / 12) * 4 + x / 16] == 1;
                var (r, g, b) = picture[x, y];
                static byte Dim(byte v) => (byte)Math.Round(v * 0.3, MidpointRounding.AwayFromZero);
                var expected = !removed ? (r, g, b)
                    : (x + y) % 6 == 0 ? ((byte)170, (byte)170, (byte)170)
                    : (Dim(r), Dim(g), Dim(b));
                Assert.Equal(expected, drawn[x, y]);
                if (removed) Assert.NotEqual(picture[x, y], drawn[x, y]);
            }
    }

    [Fact]
    public void A_random_mask_from_the_masking_functions_is_drawn_where_it_removes()
    {
        using var generator = new Generator(4);
        using var mask = PatchMasking.Random(1, new PatchGrid(4, 4), 0.75, generator);
        using var scope = DisposeScope.Begin();
        var values = mask.Mask.Select(0, 0).Contiguous().ToArray<float>();
        var picture = RandomPicture(32, 32, seed: 5, low: 4);

        var drawn = MaskPicture.Draw(picture, new PatchMap(4, 4, values));

        // Per patch (8 × 8 pixels): every pixel changed if removed, none if kept; 12 of 16 removed.
        var changed = new int[16];
        for (var y = 0; y < 32; y++)
            for (var x = 0; x < 32; x++)
                if (picture[x, y] != drawn[x, y]) changed[(y / 8) * 4 + x / 8]++;
        Assert.Equal(values.Select(v => v == 1 ? 64 : 0), changed);
        Assert.Equal(12, values.Count(v => v == 1));
    }

    [Fact]
    public void Patches_tile_pictures_whose_size_the_grid_does_not_divide()
    {
        var map = new PatchMap(3, 3, new float[9]);
        // 10 pixels over 3 columns: ⌊x·3/10⌋ gives 0 for x < 4, 1 for x < 7, 2 for the rest.
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 2, 2, 2], Enumerable.Range(0, 10).Select(x => map.PatchAt(x, 0, 10, 10).Col));
    }

    [Fact]
    public void A_mask_holds_only_zeros_and_ones()
    {
        Assert.Throws<ArgumentException>(() => MaskPicture.Draw(RandomPicture(4, 4, 0), new PatchMap(1, 1, [0.5f])));
    }
}
