using System.Globalization;
using System.Text;

namespace MLNetClip.Data.Emoji;

/// <summary>The README written beside the benchmark: where every file came from, under which licence, and the split rules.</summary>
internal static class EmojiReadme
{
    public static string Render(EmojiBuildOptions options, EmojiCounts counts, IReadOnlyList<string> dropped)
    {
        var s = new StringBuilder();
        s.AppendLine("# Emoji benchmark");
        s.AppendLine();
        s.AppendLine("Built by `mlnetclip data emoji` from the npm packages below (downloaded with `npm pack`, checked against");
        s.AppendLine("their pinned integrity, never committed). Images are 64x64 RGBA PNGs; captions are OpenMoji's CLDR annotations.");
        s.AppendLine();
        s.AppendLine("## Sources and licences");
        s.AppendLine();
        s.AppendLine("| package | version | licence of what is used | used for | integrity |");
        s.AppendLine("|---|---|---|---|---|");
        foreach (var p in EmojiPackage.All)
            s.AppendLine($"| {p.Name} | {p.Version} | {p.Licence} | {p.Provides} | `{p.Integrity}` |");
        s.AppendLine();
        s.AppendLine("- `images/google/`: Noto Emoji artwork, Copyright Google, Apache License 2.0.");
        s.AppendLine("- `images/twitter/`: Twemoji artwork, Copyright Twitter and other contributors, CC-BY-4.0.");
        s.AppendLine("- `images/openmoji/`: rendered by `rsvg-convert` from OpenMoji's colour SVGs; OpenMoji, the open-source");
        s.AppendLine("  emoji and icon project (https://openmoji.org), CC-BY-SA-4.0. The rendered PNGs and the captions,");
        s.AppendLine("  which come from OpenMoji's data, are shared under CC-BY-SA-4.0 too.");
        s.AppendLine("- Categories and subcategories: emoji-datasource's emoji.json (MIT; Unicode CLDR data).");
        s.AppendLine();
        s.AppendLine("## Splits");
        s.AppendLine();
        s.AppendLine($"Seed {options.Seed}; held-out fraction {options.HeldOutFraction.ToString(CultureInfo.InvariantCulture)}; " +
                     $"validation fraction {options.ValidationFraction.ToString(CultureInfo.InvariantCulture)}; " +
                     $"{options.CaptionVariants} tag caption variant(s) per training picture.");
        s.AppendLine();
        s.AppendLine($"- `{EmojiSplits.Train}`: Google and Twitter pictures of seen concepts.");
        s.AppendLine($"- `{EmojiSplits.Validation}`: Google and Twitter pictures of validation concepts, which training never");
        s.AppendLine("  sees: choose models and recipes here, and read the test splits once.");
        s.AppendLine($"- `{EmojiSplits.ValidationBoth}`: OpenMoji pictures of validation concepts.");
        s.AppendLine($"- `{EmojiSplits.TestStyle}`: OpenMoji pictures of seen concepts (unseen style).");
        s.AppendLine($"- `{EmojiSplits.TestConcept}`: Google and Twitter pictures of held-out concepts (unseen concepts).");
        s.AppendLine($"- `{EmojiSplits.TestBoth}`: OpenMoji pictures of held-out concepts.");
        s.AppendLine();
        s.AppendLine("Rules:");
        s.AppendLine("- Joined on codepoints with FE0F removed.");
        s.AppendLine($"- The `{EmojiTable.ExcludedCategory}` category (the five bare skin-tone swatches) is left out, so there are");
        s.AppendLine($"  {counts.Categories} categories.");
        s.AppendLine("- In each category, the held-out fraction of non-flag concepts is held out, and then the validation");
        s.AppendLine("  fraction is set aside for validation, in an order chosen by a seeded hash. A concept moves with its");
        s.AppendLine("  skin-tone variants, with its gendered and facing-right versions (\"woman judge\", \"man judge\" and");
        s.AppendLine("  \"judge\" go together) and with every concept that has a pixel-identical picture in any style");
        s.AppendLine("  (Google and Twitter draw \"family\" and \"family: man, woman, boy\" alike). Flags are never moved.");
        s.AppendLine("- Training pictures have a row for the annotation (`variant` 0) and one per tag variant");
        s.AppendLine("  (\"annotation, tag, tag\"); test pictures have only the annotation.");
        s.AppendLine("- A set that does not draw an emoji itself (`has_img_*` false) contributes no picture of it.");
        s.AppendLine();
        s.AppendLine("## Counts");
        s.AppendLine();
        s.AppendLine("Cells are images / image-caption pairs.");
        s.AppendLine();
        s.Append(counts.ToMarkdown());
        s.AppendLine();
        s.AppendLine($"{counts.Concepts} concepts ({counts.HeldOutConcepts} held out, {counts.ValidationConcepts} for validation), {counts.Categories} categories, " +
                     $"{counts.Subcategories} subcategories, {counts.Images} images, {counts.Pairs} pairs.");
        s.AppendLine($"Left out while joining: {dropped.Count} entries" +
                     (dropped.Count == 0 ? "." : $" ({string.Join("; ", dropped.Take(10))}{(dropped.Count > 10 ? "; ..." : "")})."));
        s.AppendLine();
        s.AppendLine($"## Manifest `{EmojiManifest.FileName}`");
        s.AppendLine();
        s.AppendLine("Tab-separated, UTF-8, one header row, RFC 4180 quoting where a field needs it. Columns:");
        s.AppendLine("`filepath` (relative to this folder), `title` (the caption), `category`, `subcategory`, `style`");
        s.AppendLine("(google, twitter, openmoji), `concept` (the base emoji's codepoints), `split`, `codepoints` (this");
        s.AppendLine("picture's, FE0F removed), `variant` (0 = annotation).");
        return s.ToString();
    }
}
