using System.Buffers.Binary;
using MLNetClip.Data.Emoji;

namespace MLNetClip.Data.Tests;

/// <summary>
/// The real build from the npm registry. It takes minutes (3,781 SVGs go through rsvg-convert), so it
/// runs only when MLNETCLIP_EMOJI_BUILD=1. MLNETCLIP_EMOJI_DIR names a folder to build into and keep
/// (a later run then starts from it); otherwise a temporary folder is used and removed.
/// </summary>
internal sealed class FactWhenEmojiBuildAttribute : FactAttribute
{
    public FactWhenEmojiBuildAttribute()
    {
        if (Environment.GetEnvironmentVariable("MLNETCLIP_EMOJI_BUILD") != "1")
            Skip = "the real emoji build downloads ~165 MB and takes minutes; set MLNETCLIP_EMOJI_BUILD=1 to run it";
        else if (!Tool.Exists("npm") || !Tool.Exists(SvgRasterizer.Program))
            Skip = "npm and rsvg-convert are needed for the real emoji build";
    }
}

public class EmojiBuildTests
{
    [FactWhenEmojiBuild]
    public void RealBuildHasNoLeakageIsANoOpTheSecondTimeAndResumes()
    {
        using var temp = new TempDirectory();
        var outDir = Environment.GetEnvironmentVariable("MLNETCLIP_EMOJI_DIR") is { Length: > 0 } keep ? keep : temp.Path;
        var options = new EmojiBuildOptions { OutputDirectory = outDir };

        var first = EmojiBenchmarkBuilder.Build(options);
        var rows = EmojiManifestReader.Read(first.ManifestPath);
        Assert.Equal(first.Counts.Pairs, rows.Count);
        CheckRules(rows);
        // No pixel-identical picture, in any style, on two sides of the concept split.
        var hashes = rows.Select(r => r.ImagePath).Distinct()
            .ToDictionary(p => p, p => EmojiPictureHashes.Of(File.ReadAllBytes(Path.Combine(outDir, p)), p));
        EmojiLeakTests.AssertNoLeak(rows, r => hashes[r.ImagePath]);
        foreach (var path in rows.Select(r => r.ImagePath).Distinct())
            Assert.Equal((64, 64), PngSize(File.ReadAllBytes(Path.Combine(outDir, path))));

        var second = EmojiBenchmarkBuilder.Build(options);
        Assert.True(second.AlreadyBuilt);
        Assert.Equal(0, second.ImagesWritten);

        // Interrupt: a few images gone, a half-written file left behind, no marker.
        var manifestBytes = File.ReadAllBytes(first.ManifestPath);
        var victims = rows.Where(r => r.Style is "openmoji" or "google").Select(r => r.ImagePath).Distinct().Take(5).ToList();
        victims.ForEach(v => File.Delete(Path.Combine(outDir, v)));
        File.WriteAllBytes(Path.Combine(outDir, "images/openmoji/cut.png.partial"), [1, 2, 3]);
        File.Delete(Path.Combine(outDir, EmojiBenchmarkBuilder.MarkerName));

        var resumed = EmojiBenchmarkBuilder.Build(options);
        Assert.False(resumed.AlreadyBuilt);
        Assert.Equal(victims.Count, resumed.ImagesWritten);
        Assert.Equal(manifestBytes, File.ReadAllBytes(first.ManifestPath));
        Assert.Empty(Directory.EnumerateFiles(outDir, "*.partial", SearchOption.AllDirectories));
    }

    /// <summary>The leakage and labelling rules, checked on the real manifest.</summary>
    private static void CheckRules(IReadOnlyList<EmojiRow> rows)
    {
        var train = rows.Where(r => r.Split == EmojiSplits.Train).ToList();
        var trainConcepts = train.Select(r => r.ConceptId).ToHashSet();
        var trainFamilies = train.Select(r => EmojiFamilies.FamilyKey(r.Codepoints)).ToHashSet();
        var heldOut = rows.Where(r => r.Split is EmojiSplits.TestConcept or EmojiSplits.TestBoth).ToList();
        Assert.All(heldOut, r => Assert.DoesNotContain(r.ConceptId, trainConcepts));
        Assert.All(heldOut, r => Assert.DoesNotContain(EmojiFamilies.FamilyKey(r.Codepoints), trainFamilies));
        Assert.All(heldOut, r => Assert.NotEqual("Flags", r.Category));
        Assert.All(rows.Where(r => r.Style == "openmoji"), r => Assert.Contains(r.Split, new[] { "test-style", "test-both", "val-both" }));
        Assert.All(train, r => Assert.Contains(r.Style, new[] { "google", "twitter" }));

        var categories = rows.Select(r => r.Category).Distinct().ToList();
        Assert.Equal(9, categories.Count);
        Assert.DoesNotContain("Component", categories);
        var nonFlagConcepts = rows.Where(r => r.Category != "Flags").Select(r => r.ConceptId).Distinct().Count();
        var heldOutConcepts = heldOut.Select(r => r.ConceptId).Distinct().Count();
        Assert.InRange(heldOutConcepts / (double)nonFlagConcepts, 0.19, 0.22);
        var validation = rows.Where(r => r.Split is EmojiSplits.Validation or EmojiSplits.ValidationBoth).ToList();
        Assert.All(validation, r => Assert.DoesNotContain(r.ConceptId, trainConcepts));
        Assert.InRange(validation.Select(r => r.ConceptId).Distinct().Count() / (double)nonFlagConcepts, 0.09, 0.12);
        // Every picture of a concept in one style shares one split: skin tones stay with the base.
        Assert.All(rows.GroupBy(r => (r.ConceptId, r.Style)), g => Assert.Single(g.Select(r => r.Split).Distinct()));
    }

    private static (int Width, int Height) PngSize(byte[] png) =>
        (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
}
