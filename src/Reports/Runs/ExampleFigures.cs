using System.Globalization;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Images;
using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Reports.Heatmaps;
using MLNetClip.Reports.Pictures;
using MLNetClip.Reports.Png;
using MLNetClip.Torch;

namespace MLNetClip.Reports.Runs;

/// <summary>
/// What the model does with a few images, one row per image: the picture as the model sees it,
/// the mask each registered strategy draws on it, the class token's attention, and text→patch
/// similarity for the image's own caption and for another example's caption (which should light
/// up elsewhere, or less). Strategies that rank patches are given the class-token attention.
/// </summary>
internal static class ExampleFigures
{
    public static IReadOnlyList<string> Header(double maskRatio) =>
    [
        "image (as the model sees it)",
        .. MaskingStrategies.Names.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s} mask, {maskRatio * 100:0.#}% removed")),
        "class-token attention",
        "its own caption",
        "another example's caption",
    ];

    /// <summary>
    /// Up to <paramref name="count"/> records with distinct, readable images, spread evenly over
    /// the rows; an unusable row gives way to the next one, and is named in <paramref name="notes"/>.
    /// </summary>
    public static List<(ImageTextRecord Record, ExampleImage Image)> Load(IReadOnlyList<ImageTextRecord> records, int count,
        int modelSize, int pictureSize, List<string> notes)
    {
        var chosen = new List<(ImageTextRecord, ExampleImage)>();
        var seen = new HashSet<string>();
        var attempts = 0;
        foreach (var index in Spread(records.Count, count))
        {
            if (chosen.Count == count || attempts++ == 4 * count) break;
            var record = records[index];
            if (!record.HasImage || string.IsNullOrEmpty(record.Caption) || !seen.Add(record.ImagePath ?? record.Key)) continue;
            try
            {
                chosen.Add((record, ExampleImage.Load(record.ReadImageBytes(), modelSize, pictureSize, record.Origin)));
            }
            catch (Exception e) when (e is IOException or ImageDecodeException or ArgumentException)
            {
                notes.Add($"skipped {record.Origin}: {e.Message}");
            }
        }
        return chosen;
    }

    // Row i·n/count for each i, each followed by the rows after it (to stand in for an unusable one).
    private static IEnumerable<int> Spread(int rows, int count)
    {
        if (rows == 0 || count == 0) yield break;
        for (var offset = 0; offset < Math.Max(1, rows / count); offset++)
            for (var i = 0; i < count; i++)
            {
                var index = (int)((long)i * rows / count) + offset;
                if (index < rows) yield return index;
            }
    }

    /// <summary>One row of figure HTML per example.</summary>
    public static IEnumerable<IReadOnlyList<string>> Rows(Clip model, IReadOnlyList<(ImageTextRecord Record, ExampleImage Image)> examples,
        double maskRatio, int seed)
    {
        for (var i = 0; i < examples.Count; i++)
        {
            var (record, image) = examples[i];
            var other = examples.Count > 1 ? examples[(i + 1) % examples.Count].Record.Caption! : "a photo";
            yield return Row(model, image, record.Caption!, other, maskRatio, seed + i);
        }
    }

    private static List<string> Row(Clip model, ExampleImage image, string caption, string otherCaption, double maskRatio, int seed)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var (rows, cols) = model.Visual.PatchEmbed.Grid(image.Input.Size(2), image.Input.Size(3));
        var grid = new PatchGrid(rows, cols);
        Tensor attention;                                                               // [1, N]
        using (var encoding = model.Visual.Encode(image.Input, attentionMap: true))
            attention = encoding.ClsToPatchAttention();
        var attentionMap = new PatchMap((int)rows, (int)cols, attention.Select(0, 0).Contiguous().ToArray<float>());

        var row = new List<string> { Figure(image.Picture, "example image", caption) };
        using var generator = new Generator((ulong)seed);
        foreach (var name in MaskingStrategies.Names)
        {
            using var mask = MaskingStrategies.Get(name)(1, grid, maskRatio, generator, attention);
            var values = new PatchMap((int)rows, (int)cols, mask.Mask.Select(0, 0).Contiguous().ToArray<float>());
            var removed = values.Values.Count(v => v == 1);
            row.Add(Figure(MaskPicture.Draw(image.Picture, values), $"{name} mask", $"{removed} of {grid.Count} patches removed"));
        }
        row.Add(Figure(HeatmapPicture.Overlay(image.Picture, attentionMap), "class-token attention",
            $"share of attention {Range(attentionMap)}"));
        var maps = TextPatchSimilarity.Maps(model, image.Input, [caption, otherCaption]);
        row.Add(Figure(HeatmapPicture.Overlay(image.Picture, maps[0]), "text-patch similarity", $"“{caption}”: cos {Range(maps[0])}"));
        row.Add(Figure(HeatmapPicture.Overlay(image.Picture, maps[1]), "text-patch similarity", $"“{otherCaption}”: cos {Range(maps[1])}"));
        return row;
    }

    private static string Figure(RgbImage picture, string alt, string caption) =>
        HtmlPage.Figure(HtmlPage.PngUri(PngEncoder.Encode(picture)), alt, caption);

    private static string Range(PatchMap map) =>
        string.Create(CultureInfo.InvariantCulture, $"{map.Min:0.000} to {map.Max:0.000}");
}
