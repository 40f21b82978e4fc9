using Microsoft.ML;
using MLNetClip.Torch;

namespace MLNetClip.Transforms.Saving;

/// <summary>
/// Save and load for pipelines holding MLNetClip transforms, on <c>mlContext.Model</c>. The zip is
/// ML.NET's own, with the CLIP weights and class vectors added under <c>mlnetclip/</c> (format
/// in <see cref="ArchiveManifest"/>); pipelines without our transforms save and load exactly as
/// with ML.NET's Save and Load.
/// </summary>
public static class MaskClipModelCatalog
{
    public static void SaveWithMaskClip(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        ArchiveWriter.Save(ContextOf(catalog), model, inputSchema, filePath);
    }

    /// <summary>Loads a saved pipeline; its CLIP models go onto <paramref name="device"/> (default cpu).</summary>
    public static ITransformer LoadWithMaskClip(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema,
        string device = "cpu")
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"model file '{filePath}' does not exist", filePath);
        OptionCheck.Device(device, nameof(device));
        return ArchiveReader.Load(ContextOf(catalog), filePath, out inputSchema, Device.Parse(device));
    }

    // The catalog does not expose its MLContext; a fresh one loads and saves the same (models carry no context state).
    private static MLContext ContextOf(ModelOperationsCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MLContext(seed: 0);
    }
}
