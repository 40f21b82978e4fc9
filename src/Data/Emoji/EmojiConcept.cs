namespace MLNetClip.Data.Emoji;

/// <summary>One picture of an emoji: the base form or one skin-tone variant.</summary>
/// <param name="Codepoints">The sequence with FE0F removed, upper-case hex joined by '-' ("1F385-1F3FB"); the join key between packages.</param>
/// <param name="FileName">emoji-datasource's image name ("1f385-1f3fb.png"), reused for every style's file.</param>
/// <param name="OpenMojiHexcode">OpenMoji's own spelling of the sequence, which names its SVG.</param>
/// <param name="Annotation">OpenMoji's CLDR annotation for this exact picture ("santa claus: light skin tone").</param>
/// <param name="HasGoogle">Whether the Google set draws this picture itself (rather than borrowing another set's).</param>
/// <param name="HasTwitter">The same for the Twitter set.</param>
public sealed record EmojiImage(string Codepoints, string FileName, string OpenMojiHexcode, string Annotation,
    bool HasGoogle, bool HasTwitter);

/// <summary>
/// A base emoji and its skin-tone variants, which always share a split (see <see cref="EmojiFamilies"/>),
/// so a variant never lands on the other side of the split from its base.
/// </summary>
/// <param name="Id">The base emoji's codepoints (FE0F removed), used as the concept id.</param>
/// <param name="Category">emoji.json's category ("Smileys &amp; Emotion").</param>
/// <param name="Subcategory">emoji.json's subcategory ("face-smiling").</param>
/// <param name="Tags">OpenMoji's CLDR keywords for the base emoji; variants share them.</param>
/// <param name="Images">The base picture first, then its skin-tone variants.</param>
public sealed record EmojiConcept(string Id, string Category, string Subcategory, IReadOnlyList<string> Tags,
    IReadOnlyList<EmojiImage> Images)
{
    /// <summary>The category whose concepts are never held out.</summary>
    public const string FlagsCategory = "Flags";

    public bool IsFlag => Category == FlagsCategory;

    /// <summary>The base picture's annotation ("santa claus").</summary>
    public string Annotation => Images[0].Annotation;
}
