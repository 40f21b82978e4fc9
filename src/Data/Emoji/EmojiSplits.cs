using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MLNetClip.Data.Emoji;

/// <summary>
/// Decides which concepts are held out as unseen, and names the four splits.
///
/// Rules: Google and Twitter are the training styles and OpenMoji is the unseen style. A share of
/// the non-flag base concepts (20% by default) in every category is held out as unseen
/// concepts. The unit held out is a family: a base emoji with its skin-tone variants and, going
/// further than skin tones, its gendered and facing-right versions ("woman judge", "man judge",
/// "judge" are one family), because a model that has trained on "man judge" has not really
/// met an unseen concept in "woman judge". Flags are never held out.
/// The choice depends only on the seed and the codepoints, never on file or row order.
/// </summary>
public static class EmojiSplits
{
    /// <summary>Training styles, seen concepts.</summary>
    public const string Train = "train";

    /// <summary>The unseen style (OpenMoji), seen concepts.</summary>
    public const string TestStyle = "test-style";

    /// <summary>Training styles, unseen concepts.</summary>
    public const string TestConcept = "test-concept";

    /// <summary>The unseen style and unseen concepts.</summary>
    public const string TestBoth = "test-both";

    public static IReadOnlyList<string> All { get; } = [Train, TestStyle, TestConcept, TestBoth];

    private const string Zwj = "200D";
    private static readonly HashSet<string> DroppedAfterZwj = ["2640", "2642", "27A1"]; // female, male, facing right
    private static readonly HashSet<string> SkinTones = ["1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"];
    private static readonly HashSet<string> GenderedPeople = ["1F468", "1F469"]; // man, woman
    private const string Person = "1F9D1";

    /// <summary>
    /// The family an emoji belongs to: its codepoints (FE0F already removed) without skin tones,
    /// without ZWJ + female/male/facing-right signs, and with man/woman read as person inside
    /// ZWJ sequences. "1F469-1F3FD-200D-2696" (woman judge, medium skin) gives "1F9D1-200D-2696".
    /// </summary>
    public static string FamilyKey(string codepoints)
    {
        var parts = codepoints.ToUpperInvariant().Split('-').Where(p => p != "FE0F" && !SkinTones.Contains(p)).ToList();
        var isSequence = parts.Contains(Zwj);
        var kept = new List<string>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i] == Zwj && i + 1 < parts.Count && DroppedAfterZwj.Contains(parts[i + 1]))
            {
                i++;
                continue;
            }
            kept.Add(isSequence && GenderedPeople.Contains(parts[i]) ? Person : parts[i]);
        }
        return string.Join('-', kept);
    }

    /// <summary>
    /// The ids of the held-out concepts. Concepts are first joined into families: two concepts
    /// belong together when any of their pictures share a <see cref="FamilyKey"/> (a couple whose
    /// skin-tone versions are written as "woman, handshake, man" joins "people holding hands").
    /// In each category the families are ranked by a seeded hash and taken in that order until at
    /// least round(fraction × the category's non-flag concepts) are held out.
    /// </summary>
    public static IReadOnlySet<string> SelectHeldOut(IReadOnlyList<EmojiConcept> concepts, int seed, double fraction)
    {
        if (fraction is < 0 or >= 1 || double.IsNaN(fraction))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the held-out fraction must be in [0, 1)");
        var heldOut = new HashSet<string>(StringComparer.Ordinal);
        // A family that contains a flag (none does today) is never held out, whole.
        var eligible = Families(concepts).Where(f => !f.Members.Any(c => c.IsFlag));
        foreach (var category in eligible.GroupBy(f => f.Members[0].Category))
        {
            var quota = (int)Math.Round(fraction * category.Sum(f => f.Members.Count), MidpointRounding.AwayFromZero);
            var held = 0;
            foreach (var family in category.OrderBy(f => Rank(seed, f.Key)).ThenBy(f => f.Key, StringComparer.Ordinal))
            {
                if (held >= quota) break;
                foreach (var c in family.Members) heldOut.Add(c.Id);
                held += family.Members.Count;
            }
        }
        return heldOut;
    }

    /// <summary>
    /// Concepts joined by shared picture keys (union–find). Each family is named by its smallest
    /// key and lists its members by id, so the result does not depend on input order.
    /// </summary>
    internal static IReadOnlyList<(string Key, IReadOnlyList<EmojiConcept> Members)> Families(IReadOnlyList<EmojiConcept> concepts)
    {
        var parent = Enumerable.Range(0, concepts.Count).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        var owner = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new List<string>[concepts.Count];
        for (var i = 0; i < concepts.Count; i++)
        {
            keys[i] = concepts[i].Images.Select(img => FamilyKey(img.Codepoints)).Append(FamilyKey(concepts[i].Id)).Distinct().ToList();
            foreach (var key in keys[i])
            {
                if (owner.TryGetValue(key, out var other)) parent[Find(i)] = Find(other);
                else owner[key] = i;
            }
        }
        return Enumerable.Range(0, concepts.Count)
            .GroupBy(Find)
            .Select(g => (Key: g.SelectMany(i => keys[i]).Min(StringComparer.Ordinal)!,
                          Members: (IReadOnlyList<EmojiConcept>)g.Select(i => concepts[i]).OrderBy(c => c.Id, StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>The split of one picture, from its style and whether its concept is held out.</summary>
    public static string SplitOf(EmojiStyle style, bool conceptHeldOut) => (style == EmojiStyle.OpenMoji, conceptHeldOut) switch
    {
        (false, false) => Train,
        (true, false) => TestStyle,
        (false, true) => TestConcept,
        (true, true) => TestBoth,
    };

    /// <summary>A seeded, platform-independent pseudo-random rank for a string.</summary>
    internal static ulong Rank(int seed, string text) =>
        BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{text}")));
}
