namespace MLNetClip.Data.Emoji;

/// <summary>A group of concepts that must land on the same side of every split.</summary>
/// <param name="Key">The smallest <see cref="EmojiFamilies.FamilyKey"/> among its members: a stable name to rank it by.</param>
/// <param name="Members">Its concepts, ordered by id.</param>
public sealed record EmojiFamily(string Key, IReadOnlyList<EmojiConcept> Members);

/// <summary>
/// Joins concepts that a model could not tell apart into families, so that a held-out or
/// validation concept has no twin in training. Two concepts belong together when
/// <list type="bullet">
/// <item>any of their pictures reduce to the same <see cref="FamilyKey"/> (skin tones, gender and
/// direction dropped: "woman judge", "man judge" and "judge" are one family), or</item>
/// <item>any of their pictures are pixel-identical in any style (Google and Twitter draw "family"
/// and "family: man, woman, boy" with one picture; see <see cref="EmojiPictureHashes"/>).</item>
/// </list>
/// The joining is transitive (union–find) and independent of input order.
/// </summary>
public static class EmojiFamilies
{
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
    /// The families of <paramref name="concepts"/>. <paramref name="pictureHashes"/> maps a picture's
    /// codepoints to the content hashes of its drawings (one per style that draws it); pictures
    /// missing from it join by codepoints alone.
    /// </summary>
    public static IReadOnlyList<EmojiFamily> Group(IReadOnlyList<EmojiConcept> concepts,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? pictureHashes = null)
    {
        var parent = Enumerable.Range(0, concepts.Count).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        var owner = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>[concepts.Count];
        for (var i = 0; i < concepts.Count; i++)
        {
            names[i] = concepts[i].Images.Select(img => FamilyKey(img.Codepoints)).Append(FamilyKey(concepts[i].Id)).Distinct().ToList();
            // Hashes live in their own key space ("#…") so a hash can never meet a codepoint key.
            var hashes = pictureHashes is null
                ? []
                : concepts[i].Images.SelectMany(img => pictureHashes.GetValueOrDefault(img.Codepoints) ?? []).Select(h => "#" + h);
            foreach (var key in names[i].Concat(hashes))
            {
                if (owner.TryGetValue(key, out var other)) parent[Find(i)] = Find(other);
                else owner[key] = i;
            }
        }
        return Enumerable.Range(0, concepts.Count)
            .GroupBy(Find)
            .Select(g => new EmojiFamily(
                g.SelectMany(i => names[i]).Min(StringComparer.Ordinal)!,
                g.Select(i => concepts[i]).OrderBy(c => c.Id, StringComparer.Ordinal).ToList()))
            .ToList();
    }
}
