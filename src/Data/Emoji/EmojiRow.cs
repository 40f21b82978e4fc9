namespace MLNetClip.Data.Emoji;

/// <summary>One manifest row: an image–caption pair with its labels and split.</summary>
/// <param name="ImagePath">Relative to the manifest: images/{style}/{file}.png.</param>
/// <param name="Caption">The annotation, or the annotation followed by tags.</param>
/// <param name="Category">One of emoji.json's categories (the coarse label).</param>
/// <param name="Subcategory">One of emoji.json's subcategories (the fine label).</param>
/// <param name="Style">google, twitter or openmoji.</param>
/// <param name="ConceptId">The base emoji's codepoints, shared by its skin-tone variants.</param>
/// <param name="Split">One of <see cref="EmojiSplits.All"/>.</param>
/// <param name="Codepoints">This picture's own codepoints, FE0F removed.</param>
/// <param name="Variant">0 for the plain annotation, 1.. for tag variants (training rows only).</param>
public sealed record EmojiRow(string ImagePath, string Caption, string Category, string Subcategory, string Style,
    string ConceptId, string Split, string Codepoints, int Variant);
