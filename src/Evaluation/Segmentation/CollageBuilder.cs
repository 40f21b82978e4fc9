using MLNetClip.Data.Images;

namespace MLNetClip.Evaluation.Segmentation;

/// <summary>
/// The ground truth of annotation-free segmentation: pictures pasted at random positions and
/// scales on plain canvases, with label maps taken from the pasted alpha. A pasted pixel is
/// blended onto the canvas by its alpha and takes the picture's class when that alpha is at least
/// 128 (half), so a later picture covers an earlier one exactly where it is mostly opaque.
/// Pictures are scaled by nearest neighbour, which copies alpha values instead of inventing
/// blended ones, so the mask is exactly the scaled alpha thresholded.
/// </summary>
public sealed class CollageBuilder
{
    /// <summary>Alpha at or above this makes a pixel the picture's.</summary>
    public const int OpaqueAlpha = 128;

    private readonly CollageOptions _options;

    public CollageBuilder(CollageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    public CollageOptions Options => _options;

    /// <summary>
    /// Where canvas <paramref name="canvas"/> puts its pictures, chosen among <paramref name="spriteCount"/>
    /// sprites; depends only on the seed, the canvas index and the sprite count. Labels are filled in by <see cref="Render"/>.
    /// </summary>
    public IReadOnlyList<(int Sprite, int X, int Y, int Side)> Layout(int canvas, int spriteCount)
    {
        if (spriteCount < 1) throw new ArgumentException("there are no pictures to paste");
        var random = new Random(unchecked(_options.Seed * 1_000_003 + canvas));
        var size = _options.CanvasSize;
        var placements = new List<(int, int, int, int)>();
        for (var k = 0; k < _options.PerCanvas; k++)
        {
            var sprite = random.Next(spriteCount);
            var scale = _options.MinScale + (_options.MaxScale - _options.MinScale) * random.NextDouble();
            var side = Math.Clamp((int)Math.Round(scale * size), 1, size);
            placements.Add((sprite, random.Next(size - side + 1), random.Next(size - side + 1), side));
        }
        return placements;
    }

    /// <summary>Canvas <paramref name="canvas"/>: its layout, with each sprite fetched once through <paramref name="sprite"/>.</summary>
    public Collage Build(int canvas, int spriteCount, Func<int, CollageSprite> sprite)
    {
        ArgumentNullException.ThrowIfNull(sprite);
        var layout = Layout(canvas, spriteCount);
        return Render(layout.Select(p => (sprite(p.Sprite), new CollagePlacement(p.Sprite, 0, p.X, p.Y, p.Side))).ToList());
    }

    /// <summary>Pastes the given sprites at the given squares, bottom first.</summary>
    public Collage Render(IReadOnlyList<(CollageSprite Sprite, CollagePlacement Where)> pastes)
    {
        var size = _options.CanvasSize;
        var rgb = new byte[size * size * 3];
        for (var i = 0; i < size * size; i++)
        {
            rgb[3 * i] = (byte)(_options.Background >> 16);
            rgb[3 * i + 1] = (byte)(_options.Background >> 8);
            rgb[3 * i + 2] = (byte)_options.Background;
        }
        var labels = new int[size * size];
        Array.Fill(labels, _options.BackgroundLabel);
        var placed = new List<CollagePlacement>();
        foreach (var (sprite, where) in pastes)
        {
            if (sprite.Label == _options.BackgroundLabel)
                throw new ArgumentException($"sprite {where.Sprite} has the background label {sprite.Label}");
            if (where.X < 0 || where.Y < 0 || where.Side < 1 || where.X + where.Side > size || where.Y + where.Side > size)
                throw new ArgumentOutOfRangeException(nameof(pastes), $"square ({where.X}, {where.Y}) side {where.Side} is not inside the {size}-pixel canvas");
            Paste(rgb, labels, size, sprite, where);
            placed.Add(where with { Label = sprite.Label });
        }
        return new Collage(new DecodedImage(rgb, size, size, 3), labels, placed);
    }

    private static void Paste(byte[] rgb, int[] labels, int size, CollageSprite sprite, CollagePlacement where)
    {
        var image = sprite.Image;
        var channels = image.Channels;
        for (var dy = 0; dy < where.Side; dy++)
        {
            var sy = (int)((long)dy * image.Height / where.Side);                     // nearest neighbour: source row under this one
            for (var dx = 0; dx < where.Side; dx++)
            {
                var sx = (int)((long)dx * image.Width / where.Side);
                var source = (sy * image.Width + sx) * channels;
                var alpha = channels == 4 ? image.Pixels[source + 3] : 255;
                if (alpha == 0) continue;
                var target = (where.Y + dy) * size + where.X + dx;
                for (var c = 0; c < 3; c++)
                    rgb[3 * target + c] = (byte)((image.Pixels[source + c] * alpha + rgb[3 * target + c] * (255 - alpha) + 127) / 255);
                if (alpha >= OpaqueAlpha) labels[target] = sprite.Label;
            }
        }
    }

    /// <summary>Decodes a picture for pasting with its alpha kept (RGB files come back opaque).</summary>
    public static DecodedImage DecodeWithAlpha(ReadOnlySpan<byte> encoded, string name) =>
        ImageDecoder.Decode(encoded, new ImageDecodeOptions { Alpha = AlphaHandling.Keep }, name);
}
