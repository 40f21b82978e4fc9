using MLNetClip.Data.Emoji;

namespace MLNetClip.Data.Tests;

/// <summary>
/// Identical pictures of different concepts, and the validation split, on the synthetic table of
/// <see cref="EmojiSplitTests"/> plus a "family" pair that Google draws with one picture.
/// </summary>
public class EmojiLeakTests
{
    private const string Family = "1F46A";                        // family
    private const string FamilyManWomanBoy = "1F468-200D-1F469-200D-1F466";
    private const string Couple = "1F491";                         // couple with heart
    private const string CoupleWomanMan = "1F469-200D-2764-200D-1F468";

    /// <summary>The synthetic table with two pairs whose codepoint keys differ but whose pictures do not.</summary>
    private static List<EmojiConcept> Table() =>
    [
        .. EmojiSplitTests.SyntheticTable(),
        .. new[] { Family, FamilyManWomanBoy, Couple, CoupleWomanMan }.Select(id =>
            new EmojiConcept(id, "People & Body", "family", ["people"], [EmojiSplitTests.Image(id, "")])),
    ];

    /// <summary>
    /// One made-up hash per picture and style (in <see cref="EmojiManifest.StylesOf"/> order), except
    /// that Google draws the two family emoji alike and Twitter the two couples.
    /// </summary>
    private static Dictionary<(string Codepoints, string Style), string> Drawings(IEnumerable<EmojiConcept> concepts)
    {
        var drawings = new Dictionary<(string, string), string>();
        foreach (var image in concepts.SelectMany(c => c.Images))
            foreach (var style in EmojiManifest.StylesOf(image).Select(EmojiManifest.StyleName))
                drawings[(image.Codepoints, style)] = $"{style}:{image.Codepoints}";
        drawings[(Family, "google")] = drawings[(FamilyManWomanBoy, "google")] = "google:family";
        drawings[(Couple, "twitter")] = drawings[(CoupleWomanMan, "twitter")] = "twitter:couple";
        return drawings;
    }

    private static Dictionary<string, IReadOnlyList<string>> ByCodepoints(Dictionary<(string Codepoints, string Style), string> drawings) =>
        drawings.GroupBy(d => d.Key.Codepoints).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(d => d.Value).ToList());

    /// <summary>No concept, family or drawing seen in training (or validation) appears among the unseen concepts.</summary>
    internal static void AssertNoLeak(IReadOnlyList<EmojiRow> rows, Func<EmojiRow, string> drawing)
    {
        void Disjoint(IEnumerable<EmojiRow> a, IEnumerable<EmojiRow> b, string what)
        {
            var left = a.ToList();
            var right = b.ToList();
            foreach (var key in new Func<EmojiRow, string>[] { r => r.ConceptId, r => EmojiFamilies.FamilyKey(r.Codepoints), drawing })
            {
                var seen = left.Select(key).ToHashSet();
                var leak = right.FirstOrDefault(r => seen.Contains(key(r)));
                Assert.True(leak is null, $"{what}: {leak} shares '{(leak is null ? "" : key(leak))}'");
            }
        }
        var train = rows.Where(r => r.Split is EmojiSplits.Train or EmojiSplits.TestStyle);
        var validation = rows.Where(r => r.Split is EmojiSplits.Validation or EmojiSplits.ValidationBoth);
        var test = rows.Where(r => r.Split is EmojiSplits.TestConcept or EmojiSplits.TestBoth);
        Disjoint(train, test, "train / test");
        Disjoint(train, validation, "train / validation");
        Disjoint(validation, test, "validation / test");
    }

    [Fact]
    public void IdenticalPicturesInAnyStyleJoinTheirConceptsFamilies()
    {
        var concepts = Table();
        var drawings = Drawings(concepts);
        var families = EmojiFamilies.Group(concepts, ByCodepoints(drawings));
        var family = Assert.Single(families, f => f.Members.Any(c => c.Id == Family));
        Assert.Equal([FamilyManWomanBoy, Family], family.Members.Select(c => c.Id));
        Assert.Equal("1F46A", family.Key); // named by codepoints, never by a hash
        Assert.Equal([CoupleWomanMan, Couple], Assert.Single(families, f => f.Members.Any(c => c.Id == Couple)).Members.Select(c => c.Id));
        // By codepoints alone they are four families: the defect this grouping fixes.
        Assert.Equal(families.Count + 2, EmojiFamilies.Group(concepts).Count);
    }

    [Fact]
    public void NoPictureCrossesTheConceptSplitForAnySeed()
    {
        var concepts = Table();
        var drawings = Drawings(concepts);
        var hashes = ByCodepoints(drawings);
        var fates = new HashSet<EmojiConceptRole>();
        var leakedWithoutHashes = false;
        for (var seed = 0; seed < 40; seed++)
        {
            var roles = EmojiSplits.Assign(concepts, seed, 0.3, 0.2, hashes);
            Assert.Equal(roles[Family], roles[FamilyManWomanBoy]);
            Assert.Equal(roles[Couple], roles[CoupleWomanMan]);
            fates.Add(roles[Family]);
            var rows = EmojiManifest.Rows(concepts, roles, 1, seed);
            AssertNoLeak(rows, r => drawings[(r.Codepoints, r.Style)]);

            var blind = EmojiSplits.Assign(concepts, seed, 0.3, 0.2);
            leakedWithoutHashes |= blind[Family] != blind[FamilyManWomanBoy] || blind[Couple] != blind[CoupleWomanMan];
        }
        Assert.Equal(3, fates.Count); // the family pair was trained on, validated on and held out under some seed
        Assert.True(leakedWithoutHashes, "without picture hashes some seed should have split a pair: the test would not catch the defect");
    }

    [Fact]
    public void ValidationTakesWholeFamiliesBesideAnUnchangedHeldOutSet()
    {
        var concepts = Table();
        var hashes = ByCodepoints(Drawings(concepts));
        for (var seed = 0; seed < 10; seed++)
        {
            var roles = EmojiSplits.Assign(concepts, seed, 0.2, 0.1, hashes);
            var heldOnly = EmojiSplits.Assign(concepts, seed, 0.2, 0, hashes);
            Assert.Equal(heldOnly.Where(p => p.Value == EmojiConceptRole.HeldOut).Select(p => p.Key).Order(),
                         roles.Where(p => p.Value == EmojiConceptRole.HeldOut).Select(p => p.Key).Order());
            Assert.DoesNotContain(heldOnly.Values, r => r == EmojiConceptRole.Validation);
            foreach (var family in EmojiFamilies.Group(concepts, hashes))
                Assert.Single(family.Members.Select(c => roles[c.Id]).Distinct());
            foreach (var category in concepts.Where(c => !c.IsFlag).GroupBy(c => c.Category))
            {
                var quota = (int)Math.Round(0.1 * category.Count(), MidpointRounding.AwayFromZero);
                Assert.InRange(category.Count(c => roles[c.Id] == EmojiConceptRole.Validation), quota, quota + 4);
            }
            Assert.All(concepts.Where(c => c.IsFlag), c => Assert.Equal(EmojiConceptRole.Train, roles[c.Id]));
        }
    }

    [Fact]
    public void ValidationConceptsGetTheirOwnSplitsWithTestLikeCaptions()
    {
        var concepts = Table();
        var roles = EmojiSplits.Assign(concepts, 3, 0.2, 0.1, ByCodepoints(Drawings(concepts)));
        var rows = EmojiManifest.Rows(concepts, roles, 2, 3);
        foreach (var r in rows)
        {
            var role = roles[r.ConceptId];
            var openMoji = r.Style == "openmoji";
            Assert.Equal(role switch
            {
                EmojiConceptRole.Train => openMoji ? "test-style" : "train",
                EmojiConceptRole.Validation => openMoji ? "val-both" : "val",
                _ => openMoji ? "test-both" : "test-concept",
            }, r.Split);
            Assert.Equal(EmojiSplits.IsUnseenConcept(r.Split), role != EmojiConceptRole.Train);
        }
        Assert.Contains(rows, r => r.Split == EmojiSplits.Validation);
        Assert.Contains(rows, r => r.Split == EmojiSplits.ValidationBoth);
        // Like a test picture, a validation picture has one reference caption: its annotation.
        Assert.All(rows.Where(r => r.Split.StartsWith("val")).GroupBy(r => r.ImagePath), g => Assert.Equal(0, Assert.Single(g).Variant));
    }

    [Fact]
    public void FractionsThatLeaveNothingToTrainOnAreRefused()
    {
        var concepts = Table();
        Assert.Throws<ArgumentOutOfRangeException>(() => EmojiSplits.Assign(concepts, 0, 0.6, 0.4));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmojiSplits.Assign(concepts, 0, 0.2, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmojiSplits.Assign(concepts, 0, 0.2, double.NaN));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            EmojiBenchmarkBuilder.Build(new EmojiBuildOptions { OutputDirectory = "/nonexistent/x", HeldOutFraction = 0.5, ValidationFraction = 0.5 }));
        Assert.Contains("ValidationFraction", e.Message);
    }
}
