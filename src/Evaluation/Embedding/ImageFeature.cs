namespace MLNetClip.Evaluation.Embedding;

/// <summary>Which vector of an image an evaluation uses.</summary>
public enum ImageFeature
{
    /// <summary>The projected image embedding in the joint space [E], unnormalised (what zero-shot and retrieval compare).</summary>
    Embedding,

    /// <summary>The class token after the tower's final LayerNorm [D], before the projection (the usual linear-probe feature).</summary>
    ClassToken,

    /// <summary>The mean of the patch tokens after the final LayerNorm [D], class token excluded.</summary>
    MeanPatches,

    /// <summary>The preprocessed input pixels, flattened [3·S·S]: the raw-pixel baseline, no model involved.</summary>
    Pixels,
}

/// <summary>Command-line names of <see cref="ImageFeature"/>.</summary>
public static class ImageFeatureNames
{
    public static IReadOnlyDictionary<string, ImageFeature> All { get; } = new Dictionary<string, ImageFeature>(StringComparer.Ordinal)
    {
        ["embedding"] = ImageFeature.Embedding,
        ["cls"] = ImageFeature.ClassToken,
        ["mean"] = ImageFeature.MeanPatches,
        ["pixels"] = ImageFeature.Pixels,
    };

    public static string Name(ImageFeature feature) => All.First(p => p.Value == feature).Key;

    public static ImageFeature Parse(string name) => All.TryGetValue(name, out var f)
        ? f
        : throw new ArgumentException($"'{name}' is not a feature; expected one of {string.Join(", ", All.Keys)}");
}
