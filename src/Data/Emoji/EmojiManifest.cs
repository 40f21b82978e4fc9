namespace MLNetClip.Data.Emoji;

/// <summary>
/// Lays out the benchmark's manifest. Every picture gets a row per caption; training pictures
/// get the annotation and its tag variants, test pictures only the annotation, so each test
/// image has exactly one reference caption. Rows are ordered by concept, picture, style, variant.
/// </summary>
public static class EmojiManifest
{
    /// <summary>The manifest's file name inside the output folder.</summary>
    public const string FileName = "emoji.tsv";

    /// <summary>Columns, in order. filepath/title follow open_clip so any CLIP tool reads the file.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["filepath", "title", "category", "subcategory", "style", "concept", "split", "codepoints", "variant"];

    public static string StyleName(EmojiStyle style) => style switch
    {
        EmojiStyle.Google => "google",
        EmojiStyle.Twitter => "twitter",
        _ => "openmoji",
    };

    /// <summary>The relative path of one picture in one style.</summary>
    public static string ImagePath(EmojiStyle style, EmojiImage image) => $"images/{StyleName(style)}/{image.FileName}";

    /// <summary>Which styles draw a picture: a set without its own art for it is left out rather than borrowed.</summary>
    public static IEnumerable<EmojiStyle> StylesOf(EmojiImage image)
    {
        if (image.HasGoogle) yield return EmojiStyle.Google;
        if (image.HasTwitter) yield return EmojiStyle.Twitter;
        yield return EmojiStyle.OpenMoji;
    }

    /// <summary>The rows of every picture; a concept missing from <paramref name="roles"/> is a training concept.</summary>
    public static IReadOnlyList<EmojiRow> Rows(IReadOnlyList<EmojiConcept> concepts, IReadOnlyDictionary<string, EmojiConceptRole> roles,
        int captionVariants, int seed)
    {
        var rows = new List<EmojiRow>();
        foreach (var concept in concepts.OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var role = roles.GetValueOrDefault(concept.Id, EmojiConceptRole.Train);
            foreach (var image in concept.Images)
            {
                var captions = EmojiCaptions.For(image, concept.Tags, captionVariants, seed);
                foreach (var style in StylesOf(image))
                {
                    var split = EmojiSplits.SplitOf(style, role);
                    var count = split == EmojiSplits.Train ? captions.Count : 1;
                    for (var v = 0; v < count; v++)
                        rows.Add(new EmojiRow(ImagePath(style, image), captions[v], concept.Category, concept.Subcategory,
                            StyleName(style), concept.Id, split, image.Codepoints, v));
                }
            }
        }
        return rows;
    }

    public static string[] Fields(EmojiRow r) =>
        [r.ImagePath, r.Caption, r.Category, r.Subcategory, r.Style, r.ConceptId, r.Split, r.Codepoints, r.Variant.ToString()];
}
