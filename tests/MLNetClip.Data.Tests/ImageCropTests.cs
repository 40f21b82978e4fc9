using MLNetClip.Data.Images;

namespace MLNetClip.Data.Tests;

/// <summary>RandomResizedCrop sampling: bounds, the scale and ratio ranges, and the fallback.</summary>
public sealed class ImageCropTests
{
    [Theory]
    [InlineData(640, 480, 0.9, 1.0)]
    [InlineData(480, 640, 0.08, 1.0)]
    [InlineData(1000, 400, 0.5, 0.6)]
    public void Crops_stay_inside_and_follow_scale_and_ratio(int width, int height, double minScale, double maxScale)
    {
        var r = new Random(3);
        var inRange = 0;
        for (var i = 0; i < 2000; i++)
        {
            var c = RandomResizedCrop.Sample(width, height, minScale, maxScale, 3.0 / 4, 4.0 / 3, r);
            Assert.True(c.X >= 0 && c.Y >= 0 && c.Width >= 1 && c.Height >= 1 && c.X + c.Width <= width && c.Y + c.Height <= height, $"{c} outside");
            var area = (double)c.Width * c.Height / (width * height);
            var ratio = (double)c.Width / c.Height;
            // Rounding the sides moves area and ratio by a pixel's worth.
            var slack = 2.0 / Math.Min(c.Width, c.Height);
            if (area >= minScale * (1 - 2 * slack) && area <= maxScale * (1 + 2 * slack) && ratio >= 0.75 * (1 - slack) && ratio <= 4.0 / 3 * (1 + slack))
                inRange++;
        }
        // Only the fallback (after ten failed draws) may leave the ranges.
        Assert.True(inRange > 1900, $"{inRange} of 2000 crops in range");
    }

    [Fact]
    public void Impossible_ranges_fall_back_to_a_centred_crop_of_the_limiting_ratio()
    {
        // A 10:1 strip cannot hold a 4:3 crop of 90 % of its area: ten draws fail.
        var c = RandomResizedCrop.Sample(1000, 100, 0.9, 1.0, 3.0 / 4, 4.0 / 3, new Random(1));
        Assert.Equal(new CropBox(433, 0, 133, 100), c);
    }

    [Fact]
    public void The_same_seed_gives_the_same_crops()
    {
        Random r1 = new(42), r2 = new(42);
        for (var i = 0; i < 50; i++)
            Assert.Equal(RandomResizedCrop.Sample(300, 200, 0.2, 1, 0.75, 4.0 / 3, r1), RandomResizedCrop.Sample(300, 200, 0.2, 1, 0.75, 4.0 / 3, r2));
    }
}
