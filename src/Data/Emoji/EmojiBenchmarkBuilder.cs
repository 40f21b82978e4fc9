using System.Diagnostics;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Shards;

namespace MLNetClip.Data.Emoji;

/// <summary>What a build did.</summary>
/// <param name="ManifestPath">The full path of emoji.tsv.</param>
/// <param name="Counts">Pairs and images per style and split, concepts, categories.</param>
/// <param name="AlreadyBuilt">True when the folder was already complete with the same inputs and nothing was done.</param>
/// <param name="ImagesWritten">Image files written by this run (0 when a resumed build found them all).</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
public sealed record EmojiBuildResult(string ManifestPath, EmojiCounts Counts, bool AlreadyBuilt, int ImagesWritten, TimeSpan Elapsed);

/// <summary>
/// Builds the emoji benchmark into a folder:
/// <c>images/{google,twitter,openmoji}/*.png</c> (64x64 RGBA), <c>emoji.tsv</c> (the manifest),
/// <c>README.md</c> (sources, licences, rules, counts) and <c>.complete</c> (the marker).
///
/// Building again with the same packages and options is a no-op. Every file is written under a
/// temporary name and renamed when whole, and the marker is written last and removed first, so an
/// interrupted build leaves only whole images behind and the next run continues from them.
/// </summary>
public static class EmojiBenchmarkBuilder
{
    public const string MarkerName = ".complete";
    public const string ReadmeName = "README.md";

    /// <summary>Bumped whenever the layout or the rules change, so old folders are rebuilt.</summary>
    private const int FormatVersion = 3;

    private const string Partial = ".partial";

    public static EmojiBuildResult Build(EmojiBuildOptions options, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        log ??= _ => { };
        var clock = Stopwatch.StartNew();
        var outDir = Path.GetFullPath(options.OutputDirectory);
        var manifestPath = Path.Combine(outDir, EmojiManifest.FileName);
        var markerPath = Path.Combine(outDir, MarkerName);
        var fingerprint = Fingerprint(options);
        if (File.Exists(markerPath) && File.ReadAllText(markerPath) == fingerprint && File.Exists(manifestPath))
            return new EmojiBuildResult(manifestPath, EmojiCounts.From(EmojiManifestReader.Read(manifestPath)), true, 0, clock.Elapsed);

        Directory.CreateDirectory(outDir);
        File.Delete(markerPath);
        RemovePartials(outDir);

        var cache = new NpmPackageCache(options.CacheDirectory ?? NpmPackageCache.DefaultDirectory);
        var tarballs = EmojiPackage.All.ToDictionary(p => p, p => cache.Get(p, log));
        var table = EmojiTable.Parse(
            ReadMember(tarballs[EmojiPackage.Datasource], "package/emoji.json"), $"{EmojiPackage.Datasource.Spec} emoji.json",
            ReadMember(tarballs[EmojiPackage.OpenMoji], "package/data/openmoji.json"), $"{EmojiPackage.OpenMoji.Spec} openmoji.json");
        log($"joined {table.Concepts.Count} concepts ({table.Concepts.Sum(c => c.Images.Count)} pictures); left out {table.Dropped.Count}");

        // Every picture is drawn in every style whatever the split, so the pictures come first: the
        // split needs their pixels to keep identical drawings of different concepts together.
        var pictures = table.Concepts.SelectMany(c => c.Images).ToList();
        var written = CopyPngs(tarballs[EmojiPackage.Google], "google", pictures.Where(p => p.HasGoogle), EmojiStyle.Google, outDir, log, cancellationToken);
        written += CopyPngs(tarballs[EmojiPackage.Twitter], "twitter", pictures.Where(p => p.HasTwitter), EmojiStyle.Twitter, outDir, log, cancellationToken);
        written += RenderOpenMoji(tarballs[EmojiPackage.OpenMoji], pictures, outDir, options.Parallelism, log, cancellationToken);

        var hashes = EmojiPictureHashes.Read(outDir, pictures);
        var byCodepoints = EmojiFamilies.Group(table.Concepts).Count;
        var families = EmojiFamilies.Group(table.Concepts, hashes).Count;
        log($"{byCodepoints} concept families by codepoints; identical pictures join them into {families}");
        var roles = EmojiSplits.Assign(table.Concepts, options.Seed, options.HeldOutFraction, options.ValidationFraction, hashes);
        var rows = EmojiManifest.Rows(table.Concepts, roles, options.CaptionVariants, options.Seed);

        using (var writer = new ManifestWriter(manifestPath, EmojiManifest.Columns))
        {
            foreach (var row in rows) writer.WriteRow(EmojiManifest.Fields(row));
            writer.Commit();
        }
        var counts = EmojiCounts.From(rows);
        WriteAtomically(Path.Combine(outDir, ReadmeName), EmojiReadme.Render(options, counts, table.Dropped));
        WriteAtomically(markerPath, fingerprint);
        log($"wrote {manifestPath}: {counts}");
        return new EmojiBuildResult(manifestPath, counts, false, written, clock.Elapsed);
    }

    /// <summary>Everything the output depends on; a marker holding anything else means "rebuild".</summary>
    private static string Fingerprint(EmojiBuildOptions o) => string.Join("\n",
    [
        $"format {FormatVersion}",
        .. EmojiPackage.All.Select(p => $"package {p.Spec} {p.Integrity}"),
        $"seed {o.Seed}",
        $"held-out-fraction {o.HeldOutFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        $"validation-fraction {o.ValidationFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        $"caption-variants {o.CaptionVariants}",
        $"image-size {EmojiBuildOptions.ImageSize}",
    ]) + "\n";

    private static int CopyPngs(string tarball, string set, IEnumerable<EmojiImage> pictures, EmojiStyle style,
        string outDir, Action<string> log, CancellationToken ct)
    {
        var wanted = pictures
            .Select(p => (Member: $"package/img/{set}/64/{p.FileName}", Target: Path.Combine(outDir, EmojiManifest.ImagePath(style, p))))
            .Where(w => !File.Exists(w.Target))
            .ToDictionary(w => w.Member, w => w.Target);
        if (wanted.Count == 0) return 0;
        log($"{set}: copying {wanted.Count} PNGs from {Path.GetFileName(tarball)}");
        Directory.CreateDirectory(Path.Combine(outDir, "images", EmojiManifest.StyleName(style)));
        var found = 0;
        using (var reader = TarReader.OpenFile(tarball))
            foreach (var entry in reader.Entries(wanted.ContainsKey))
            {
                ct.ThrowIfCancellationRequested();
                if (entry.Data is null || !wanted.TryGetValue(entry.Name, out var target)) continue;
                WriteAtomically(target, entry.Data);
                found++;
            }
        if (found < wanted.Count)
        {
            var missing = wanted.Keys.First(m => !File.Exists(wanted[m]));
            throw new InvalidDataException($"{tarball}: {wanted.Count - found} images listed in emoji.json are not in the package, first '{missing}'");
        }
        return found;
    }

    private static int RenderOpenMoji(string tarball, IReadOnlyList<EmojiImage> pictures, string outDir, int parallelism,
        Action<string> log, CancellationToken ct)
    {
        var todo = pictures
            .Select(p => (Svg: $"package/color/svg/{p.OpenMojiHexcode}.svg", Target: Path.Combine(outDir, EmojiManifest.ImagePath(EmojiStyle.OpenMoji, p))))
            .Where(w => !File.Exists(w.Target))
            .ToList();
        if (todo.Count == 0) return 0;
        var wanted = todo.Select(t => t.Svg).ToHashSet();
        var svgs = new Dictionary<string, byte[]>();
        using (var reader = TarReader.OpenFile(tarball))
            foreach (var entry in reader.Entries(wanted.Contains))
                if (entry.Data is not null && wanted.Contains(entry.Name)) svgs[entry.Name] = entry.Data;
        var absent = todo.FirstOrDefault(t => !svgs.ContainsKey(t.Svg));
        if (absent.Svg is not null)
            throw new InvalidDataException($"{tarball}: no SVG '{absent.Svg}' for a picture that openmoji.json lists");

        log($"openmoji: rendering {todo.Count} SVGs at {EmojiBuildOptions.ImageSize} px with {SvgRasterizer.Program} ({parallelism} at a time)");
        Directory.CreateDirectory(Path.Combine(outDir, "images", EmojiManifest.StyleName(EmojiStyle.OpenMoji)));
        var done = 0;
        Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, t =>
        {
            WriteAtomically(t.Target, SvgRasterizer.ToPng(svgs[t.Svg], EmojiBuildOptions.ImageSize, t.Svg));
            var n = Interlocked.Increment(ref done);
            if (n % 500 == 0) log($"openmoji: {n}/{todo.Count}");
        });
        return done;
    }

    private static byte[] ReadMember(string tarball, string member)
    {
        using var reader = TarReader.OpenFile(tarball);
        return reader.Entries(n => n == member).FirstOrDefault(e => e.Name == member)?.Data
               ?? throw new InvalidDataException($"{tarball}: the package has no '{member}'");
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + Partial;
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    private static void WriteAtomically(string path, string text) => WriteAtomically(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Half-written files from an interrupted run; never mistaken for images because of their suffix.</summary>
    private static void RemovePartials(string outDir)
    {
        foreach (var f in Directory.EnumerateFiles(outDir, "*" + Partial, SearchOption.AllDirectories)) File.Delete(f);
    }
}
