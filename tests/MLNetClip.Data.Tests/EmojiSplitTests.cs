using MLNetClip.Data.Emoji;

namespace MLNetClip.Data.Tests;

/// <summary>The split rules on a synthetic emoji table built to contain every awkward case.</summary>
public class EmojiSplitTests
{
    private static readonly string[] Tones = ["1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"];

    /// <summary>
    /// 4 categories of 30 plain concepts, a person-role family (person/man/woman judge, each with
    /// five skin tones), a running family with facing-right versions, and 40 flags.
    /// </summary>
    internal static List<EmojiConcept> SyntheticTable()
    {
        var concepts = new List<EmojiConcept>();
        string[] categories = ["Smileys & Emotion", "Animals & Nature", "Objects", "Symbols"];
        for (var c = 0; c < categories.Length; c++)
            for (var i = 0; i < 30; i++)
            {
                var id = $"1F{c + 5}{i:X2}";
                var withTones = i % 4 == 0;
                concepts.Add(Concept(id, categories[c], $"sub{i % 3}", withTones));
            }
        foreach (var judge in new[] { "1F9D1-200D-2696", "1F468-200D-2696", "1F469-200D-2696" })
            concepts.Add(Concept(judge, "People & Body", "person-role", withTones: true));
        foreach (var run in new[] { "1F3C3", "1F3C3-200D-2640", "1F3C3-200D-2642", "1F3C3-200D-27A1", "1F3C3-200D-2640-200D-27A1" })
            concepts.Add(Concept(run, "People & Body", "person-sport", withTones: true));
        for (var i = 0; i < 12; i++) concepts.Add(Concept($"1F9{i:X2}", "People & Body", "person", withTones: i % 2 == 0));
        // Unicode writes the toned versions of "woman and man holding hands" (1F46B) as
        // woman ZWJ handshake ZWJ man, which reduces to the family of "people holding hands".
        concepts.Add(new EmojiConcept("1F9D1-200D-1F91D-200D-1F9D1", "People & Body", "family", ["pair"],
            [Image("1F9D1-200D-1F91D-200D-1F9D1", "")]));
        concepts.Add(new EmojiConcept("1F46B", "People & Body", "family", ["couple"],
            [Image("1F46B", ""), .. Tones.Select(t => Image($"1F469-{t}-200D-1F91D-200D-1F468-{t}", " toned"))]));
        for (var i = 0; i < 40; i++) concepts.Add(Concept($"1F1E6-1F1{i:X2}", EmojiConcept.FlagsCategory, "country-flag", withTones: false));
        return concepts;
    }

    private static EmojiConcept Concept(string id, string category, string sub, bool withTones)
    {
        var images = new List<EmojiImage> { Image(id, "") };
        if (withTones)
            foreach (var tone in Tones)
            {
                // Skin tones go after the first codepoint, as Unicode places them.
                var parts = id.Split('-').ToList();
                parts.Insert(1, tone);
                images.Add(Image(string.Join('-', parts), ": tone " + tone));
            }
        return new EmojiConcept(id, category, sub, ["alpha", "beta", "gamma", "emoji " + id], images);
    }

    private static Dictionary<string, EmojiConceptRole> Roles(IReadOnlySet<string> heldOut) =>
        heldOut.ToDictionary(id => id, _ => EmojiConceptRole.HeldOut);

    internal static EmojiImage Image(string codepoints, string suffix) =>
        new(codepoints, codepoints.ToLowerInvariant() + ".png", codepoints, "thing " + codepoints + suffix, true, true);

    [Fact]
    public void FamilyKeysDropTonesGenderAndDirection()
    {
        Assert.Equal("1F9D1-200D-2696", EmojiFamilies.FamilyKey("1F469-1F3FD-200D-2696-FE0F"));
        Assert.Equal("1F9D1-200D-2696", EmojiFamilies.FamilyKey("1F468-200D-2696"));
        Assert.Equal("1F3C3", EmojiFamilies.FamilyKey("1F3C3-1F3FF-200D-2640-200D-27A1"));
        Assert.Equal("1F468", EmojiFamilies.FamilyKey("1F468")); // "man" alone is not a ZWJ sequence
        Assert.Equal("1F1E6-1F1E8", EmojiFamilies.FamilyKey("1F1E6-1F1E8"));
        Assert.Equal("1F9D1-200D-1F9D1-200D-1F467", EmojiFamilies.FamilyKey("1F468-200D-1F469-200D-1F467"));
    }

    [Fact]
    public void NoHeldOutConceptFamilyOrSkinToneVariantAppearsInTraining()
    {
        var concepts = SyntheticTable();
        var heldOut = EmojiSplits.SelectHeldOut(concepts, seed: 5, fraction: 0.2);
        var rows = EmojiManifest.Rows(concepts, Roles(heldOut), captionVariants: 2, seed: 5);

        var train = rows.Where(r => r.Split == EmojiSplits.Train).ToList();
        var trainCodepoints = train.Select(r => r.Codepoints).ToHashSet();
        var trainFamilies = train.Select(r => EmojiFamilies.FamilyKey(r.Codepoints)).ToHashSet();
        var trainImages = train.Select(r => r.ImagePath).ToHashSet();
        foreach (var r in rows.Where(r => r.Split is EmojiSplits.TestConcept or EmojiSplits.TestBoth))
        {
            Assert.Contains(r.ConceptId, heldOut);
            Assert.DoesNotContain(r.Codepoints, trainCodepoints);
            Assert.DoesNotContain(EmojiFamilies.FamilyKey(r.Codepoints), trainFamilies);
        }
        Assert.All(rows.Where(r => r.Split != EmojiSplits.Train), r => Assert.DoesNotContain(r.ImagePath, trainImages));
        Assert.All(train, r => Assert.NotEqual("openmoji", r.Style));
        Assert.All(rows.Where(r => r.Style == "openmoji"), r => Assert.StartsWith("test-", r.Split));

        // Every skin-tone variant sits in its base's split.
        foreach (var c in concepts)
        {
            var splits = rows.Where(r => r.ConceptId == c.Id && r.Style == "google").Select(r => r.Split).Distinct().ToList();
            Assert.Single(splits);
            Assert.Equal(c.Images.Count, rows.Count(r => r.ConceptId == c.Id && r.Style == "openmoji"));
        }
        // The judge and runner families are held out whole or not at all.
        foreach (var family in concepts.GroupBy(c => EmojiFamilies.FamilyKey(c.Id)))
            Assert.True(family.All(c => heldOut.Contains(c.Id)) || family.All(c => !heldOut.Contains(c.Id)), family.Key);
    }

    [Fact]
    public void ConceptsWhoseToneVariantsMeetAnotherFamilyShareItsFate()
    {
        var concepts = SyntheticTable();
        var fates = new HashSet<bool>();
        for (var seed = 0; seed < 40; seed++)
        {
            var heldOut = EmojiSplits.SelectHeldOut(concepts, seed, 0.3);
            Assert.Equal(heldOut.Contains("1F46B"), heldOut.Contains("1F9D1-200D-1F91D-200D-1F9D1"));
            fates.Add(heldOut.Contains("1F46B"));
            var rows = EmojiManifest.Rows(concepts, Roles(heldOut), 0, seed);
            var trainFamilies = rows.Where(r => r.Split == EmojiSplits.Train).Select(r => EmojiFamilies.FamilyKey(r.Codepoints)).ToHashSet();
            Assert.DoesNotContain(rows, r => r.Split == EmojiSplits.TestConcept && trainFamilies.Contains(EmojiFamilies.FamilyKey(r.Codepoints)));
        }
        Assert.Equal(2, fates.Count); // some seeds hold the pair out, others keep it: both paths were tested
    }

    [Fact]
    public void FlagsAreNeverHeldOutAndEachCategoryLosesAboutItsShare()
    {
        var concepts = SyntheticTable();
        for (var seed = 0; seed < 20; seed++)
        {
            var heldOut = EmojiSplits.SelectHeldOut(concepts, seed, 0.2);
            Assert.DoesNotContain(concepts.Where(c => c.IsFlag), c => heldOut.Contains(c.Id));
            foreach (var category in concepts.Where(c => !c.IsFlag).GroupBy(c => c.Category))
            {
                var held = category.Count(c => heldOut.Contains(c.Id));
                var quota = (int)Math.Round(0.2 * category.Count(), MidpointRounding.AwayFromZero);
                // At least the quota; at most one family (here up to 5 concepts) beyond it.
                Assert.InRange(held, quota, quota + 4);
            }
        }
        Assert.Empty(EmojiSplits.SelectHeldOut(concepts, 0, 0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmojiSplits.SelectHeldOut(concepts, 0, 1.0));
    }

    [Fact]
    public void TheChoiceDependsOnTheSeedButNotOnOrder()
    {
        var concepts = SyntheticTable();
        var a = EmojiSplits.SelectHeldOut(concepts, 1, 0.2);
        var shuffled = concepts.OrderBy(c => EmojiFamilies.FamilyKey(c.Id).GetHashCode() ^ c.Id.Length).Reverse().ToList();
        Assert.Equal(a.Order(), EmojiSplits.SelectHeldOut(shuffled, 1, 0.2).Order());
        Assert.NotEqual(a.Order(), EmojiSplits.SelectHeldOut(concepts, 2, 0.2).Order());
        Assert.Equal(EmojiManifest.Rows(concepts, Roles(a), 2, 1), EmojiManifest.Rows(shuffled, Roles(a), 2, 1));
    }

    [Fact]
    public void TrainingPicturesGetTagVariantsAndTestPicturesOnlyTheAnnotation()
    {
        var concepts = SyntheticTable();
        var heldOut = EmojiSplits.SelectHeldOut(concepts, 0, 0.2);
        var rows = EmojiManifest.Rows(concepts, Roles(heldOut), captionVariants: 2, seed: 0);
        foreach (var picture in rows.GroupBy(r => r.ImagePath))
        {
            var first = picture.First();
            Assert.Equal(0, first.Variant);
            Assert.StartsWith("thing ", first.Caption);
            if (first.Split == EmojiSplits.Train)
            {
                Assert.InRange(picture.Count(), 2, 3);
                Assert.All(picture.Skip(1), r => Assert.StartsWith(first.Caption + ", ", r.Caption));
                Assert.Equal(picture.Count(), picture.Select(r => r.Caption).Distinct().Count());
            }
            else
            {
                Assert.Single(picture);
            }
        }
    }

    [Fact]
    public void CaptionVariantsSkipTagsTheAnnotationAlreadySays()
    {
        var image = new EmojiImage("1F469-200D-2696", "x.png", "1F469-200D-2696", "woman judge", true, true);
        var captions = EmojiCaptions.For(image, ["judge", "Woman", "justice", "scales", "law"], variants: 3, seed: 0);
        Assert.Equal("woman judge", captions[0]);
        foreach (var c in captions.Skip(1))
        {
            var added = c["woman judge, ".Length..].Split(", ");
            Assert.Equal(2, added.Length);
            Assert.All(added, t => Assert.Contains(t, new[] { "justice", "scales", "law" }));
        }
        Assert.Equal(captions, EmojiCaptions.For(image, ["judge", "Woman", "justice", "scales", "law"], 3, 0));
        Assert.Equal(["woman judge"], EmojiCaptions.For(image, ["judge", "woman"], 3, 0));
    }
}
