using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MLNetClip.Data.Emoji;

/// <summary>Which side of the concept split a concept is on.</summary>
public enum EmojiConceptRole
{
    /// <summary>Trained on.</summary>
    Train,

    /// <summary>Carved from the training concepts for choosing presets and recipes; never trained on.</summary>
    Validation,

    /// <summary>Unseen concepts, for the test splits only.</summary>
    HeldOut,
}

/// <summary>
/// Decides which concepts are held out as unseen and which are kept for validation, and names the
/// splits.
///
/// Rules: Google and Twitter are the training styles and OpenMoji is the unseen style. In every
/// category a share of the non-flag concepts (20% by default) is held out as unseen concepts, and
/// a further share (10% by default) is set aside for validation. The unit moved is an
/// <see cref="EmojiFamily"/>: concepts that share a reduced codepoint key or a pixel-identical
/// picture go together, because a model that has trained on "man judge", or on the very picture
/// Google draws for "family", has not really met an unseen concept in "woman judge" or "family:
/// man, woman, boy". Flags are never moved. The choice depends only on the seed, the codepoints and
/// the pictures, never on file or row order.
/// </summary>
public static class EmojiSplits
{
    /// <summary>Training styles, training concepts.</summary>
    public const string Train = "train";

    /// <summary>Training styles, validation concepts: the counterpart of <see cref="TestConcept"/> for model selection.</summary>
    public const string Validation = "val";

    /// <summary>The unseen style, validation concepts: the counterpart of <see cref="TestBoth"/>.</summary>
    public const string ValidationBoth = "val-both";

    /// <summary>The unseen style (OpenMoji), training concepts.</summary>
    public const string TestStyle = "test-style";

    /// <summary>Training styles, unseen concepts.</summary>
    public const string TestConcept = "test-concept";

    /// <summary>The unseen style and unseen concepts.</summary>
    public const string TestBoth = "test-both";

    public static IReadOnlyList<string> All { get; } = [Train, Validation, ValidationBoth, TestStyle, TestConcept, TestBoth];

    /// <summary>
    /// The role of every concept. In each category the families are ranked by a seeded hash; they are
    /// taken in that order as held out until at least round(<paramref name="heldOutFraction"/> × the
    /// category's non-flag concepts) are, then as validation until at least
    /// round(<paramref name="validationFraction"/> × the same count) are. The held-out choice therefore
    /// does not depend on the validation fraction. <paramref name="pictureHashes"/>: see
    /// <see cref="EmojiFamilies.Group"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, EmojiConceptRole> Assign(IReadOnlyList<EmojiConcept> concepts, int seed,
        double heldOutFraction, double validationFraction = 0,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? pictureHashes = null)
    {
        CheckFractions(heldOutFraction, validationFraction);
        var roles = concepts.ToDictionary(c => c.Id, _ => EmojiConceptRole.Train, StringComparer.Ordinal);
        // A family that holds a flag is never moved, whole (today such families hold only flags).
        var eligible = EmojiFamilies.Group(concepts, pictureHashes).Where(f => !f.Members.Any(c => c.IsFlag));
        foreach (var category in eligible.GroupBy(f => f.Members[0].Category))
        {
            var size = category.Sum(f => f.Members.Count);
            var heldQuota = Quota(heldOutFraction, size);
            var validationQuota = Quota(validationFraction, size);
            int held = 0, validation = 0;
            foreach (var family in category.OrderBy(f => Rank(seed, f.Key)).ThenBy(f => f.Key, StringComparer.Ordinal))
            {
                EmojiConceptRole role;
                if (held < heldQuota) { role = EmojiConceptRole.HeldOut; held += family.Members.Count; }
                else if (validation < validationQuota) { role = EmojiConceptRole.Validation; validation += family.Members.Count; }
                else break;
                foreach (var c in family.Members) roles[c.Id] = role;
            }
        }
        return roles;
    }

    /// <summary>The ids of the held-out concepts (<see cref="Assign"/> without a validation share).</summary>
    public static IReadOnlySet<string> SelectHeldOut(IReadOnlyList<EmojiConcept> concepts, int seed, double fraction,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? pictureHashes = null) =>
        Assign(concepts, seed, fraction, 0, pictureHashes)
            .Where(p => p.Value == EmojiConceptRole.HeldOut).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>The split of one picture, from its style and its concept's role.</summary>
    public static string SplitOf(EmojiStyle style, EmojiConceptRole role) => (style == EmojiStyle.OpenMoji, role) switch
    {
        (false, EmojiConceptRole.Train) => Train,
        (true, EmojiConceptRole.Train) => TestStyle,
        (false, EmojiConceptRole.Validation) => Validation,
        (true, EmojiConceptRole.Validation) => ValidationBoth,
        (false, _) => TestConcept,
        (true, _) => TestBoth,
    };

    /// <summary>Whether rows of this split show concepts that training never sees.</summary>
    public static bool IsUnseenConcept(string split) => split is Validation or ValidationBoth or TestConcept or TestBoth;

    /// <summary>A seeded, platform-independent pseudo-random rank for a string.</summary>
    internal static ulong Rank(int seed, string text) =>
        BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{text}")));

    private static int Quota(double fraction, int size) => (int)Math.Round(fraction * size, MidpointRounding.AwayFromZero);

    private static void CheckFractions(double heldOut, double validation)
    {
        if (heldOut is < 0 or >= 1 || double.IsNaN(heldOut))
            throw new ArgumentOutOfRangeException(nameof(heldOut), heldOut, "the held-out fraction must be in [0, 1)");
        if (validation is < 0 or >= 1 || double.IsNaN(validation))
            throw new ArgumentOutOfRangeException(nameof(validation), validation, "the validation fraction must be in [0, 1)");
        if (heldOut + validation >= 1)
            throw new ArgumentOutOfRangeException(nameof(validation), validation,
                $"the held-out ({heldOut}) and validation ({validation}) fractions must leave some concepts for training");
    }
}
