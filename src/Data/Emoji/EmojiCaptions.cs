namespace MLNetClip.Data.Emoji;

/// <summary>
/// Captions for an emoji picture: its OpenMoji annotation ("woman judge") and, for training,
/// variants that append a few of its CLDR tags ("woman judge, justice, scales"). Tags already
/// said by the annotation are not repeated. Which tags a variant gets depends only on the seed,
/// the codepoints and the variant number.
/// </summary>
public static class EmojiCaptions
{
    /// <summary>How many tags a variant appends.</summary>
    public const int TagsPerVariant = 2;

    /// <summary>The annotation first, then up to <paramref name="variants"/> distinct tag variants.</summary>
    public static IReadOnlyList<string> For(EmojiImage image, IReadOnlyList<string> tags, int variants, int seed)
    {
        var captions = new List<string> { image.Annotation };
        var words = image.Annotation.ToLowerInvariant()
            .Split([' ', ':', ',', '-'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var fresh = tags
            .Where(t => !words.Contains(t.ToLowerInvariant()) && !image.Annotation.Contains(t, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(t => t.ToLowerInvariant())
            .ToList();
        if (fresh.Count == 0) return captions;
        for (var v = 1; v <= variants; v++)
        {
            var picked = fresh.OrderBy(t => EmojiSplits.Rank(seed, $"{image.Codepoints}/{v}/{t}")).Take(TagsPerVariant);
            var caption = $"{image.Annotation}, {string.Join(", ", picked)}";
            if (!captions.Contains(caption)) captions.Add(caption);
        }
        return captions;
    }
}
