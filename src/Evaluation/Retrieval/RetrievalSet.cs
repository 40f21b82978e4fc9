namespace MLNetClip.Evaluation.Retrieval;

/// <summary>
/// The distinct images and distinct captions of a set of image–caption rows, and which match.
/// An image listed with several captions gets several pairs; a caption written for several images
/// (equal strings, compared ordinally) becomes one text paired with each of them, so that retrieving
/// any of those images counts as a hit for it. Both lists keep first-seen order.
/// </summary>
public sealed class RetrievalSet
{
    private RetrievalSet(IReadOnlyList<string> images, IReadOnlyList<string> texts, IReadOnlyList<(int Image, int Text)> pairs)
    {
        Images = images;
        Texts = texts;
        Pairs = pairs;
    }

    /// <summary>Distinct image keys (paths), in first-seen order.</summary>
    public IReadOnlyList<string> Images { get; }

    /// <summary>Distinct captions, in first-seen order.</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>Distinct (image index, text index) matches.</summary>
    public IReadOnlyList<(int Image, int Text)> Pairs { get; }

    public static RetrievalSet From(IEnumerable<(string Image, string Caption)> rows)
    {
        var images = new Dictionary<string, int>(StringComparer.Ordinal);
        var texts = new Dictionary<string, int>(StringComparer.Ordinal);
        var pairs = new HashSet<(int, int)>();
        var ordered = new List<(int Image, int Text)>();
        var row = 0;
        foreach (var (image, caption) in rows)
        {
            if (string.IsNullOrEmpty(image)) throw new ArgumentException($"row {row} has no image key");
            if (string.IsNullOrWhiteSpace(caption)) throw new ArgumentException($"row {row} ({image}) has no caption");
            var i = images.TryGetValue(image, out var seenImage) ? seenImage : images[image] = images.Count;
            var t = texts.TryGetValue(caption, out var seenText) ? seenText : texts[caption] = texts.Count;
            if (pairs.Add((i, t))) ordered.Add((i, t));
            row++;
        }
        if (ordered.Count == 0) throw new ArgumentException("no rows to evaluate retrieval on");
        return new RetrievalSet(images.Keys.ToList(), texts.Keys.ToList(), ordered);
    }
}
