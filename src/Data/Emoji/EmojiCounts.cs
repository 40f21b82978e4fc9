using System.Text;

namespace MLNetClip.Data.Emoji;

/// <summary>Size of the built benchmark, per style and split, for the README and the console.</summary>
public sealed class EmojiCounts
{
    private EmojiCounts() { }

    /// <summary>(style, split) → (distinct images, image–caption pairs).</summary>
    public IReadOnlyDictionary<(string Style, string Split), (int Images, int Pairs)> Cells { get; private init; } = null!;

    public int Concepts { get; private init; }
    public int HeldOutConcepts { get; private init; }
    public int ValidationConcepts { get; private init; }
    public int Categories { get; private init; }
    public int Subcategories { get; private init; }
    public int Pairs { get; private init; }
    public int Images { get; private init; }

    /// <summary>Everything is derived from the rows, so a finished manifest can be counted without rebuilding.</summary>
    public static EmojiCounts From(IReadOnlyList<EmojiRow> rows) => new()
    {
        Cells = rows.GroupBy(r => (r.Style, r.Split))
            .ToDictionary(g => g.Key, g => (g.Select(r => r.ImagePath).Distinct().Count(), g.Count())),
        Concepts = rows.Select(r => r.ConceptId).Distinct().Count(),
        HeldOutConcepts = rows.Where(r => r.Split is EmojiSplits.TestConcept or EmojiSplits.TestBoth)
            .Select(r => r.ConceptId).Distinct().Count(),
        ValidationConcepts = rows.Where(r => r.Split is EmojiSplits.Validation or EmojiSplits.ValidationBoth)
            .Select(r => r.ConceptId).Distinct().Count(),
        Categories = rows.Select(r => r.Category).Distinct().Count(),
        Subcategories = rows.Select(r => (r.Category, r.Subcategory)).Distinct().Count(),
        Pairs = rows.Count,
        Images = rows.Select(r => r.ImagePath).Distinct().Count(),
    };

    /// <summary>A Markdown table: one row per style, one column per split, cells "images / pairs".</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| style | ").AppendJoin(" | ", EmojiSplits.All).AppendLine(" |");
        sb.Append("|---|").Append(string.Concat(EmojiSplits.All.Select(_ => "---:|"))).AppendLine();
        foreach (var style in new[] { EmojiStyle.Google, EmojiStyle.Twitter, EmojiStyle.OpenMoji }.Select(EmojiManifest.StyleName))
        {
            sb.Append("| ").Append(style).Append(" |");
            foreach (var split in EmojiSplits.All)
                sb.Append(Cells.TryGetValue((style, split), out var c) ? $" {c.Images} / {c.Pairs} |" : " - |");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    public override string ToString() =>
        $"{Pairs} pairs of {Images} images; {Concepts} concepts ({HeldOutConcepts} held out, {ValidationConcepts} for validation), " +
        $"{Categories} categories, {Subcategories} subcategories";
}
