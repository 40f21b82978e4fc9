using MLNetClip.Evaluation.Embedding;

namespace MLNetClip.Transforms.Embedding;

/// <summary>Options of <c>mlContext.Transforms.MaskClipEmbed</c>: image column in, embedding vector out.</summary>
public sealed class MaskClipEmbedOptions
{
    /// <summary>The embedding column written. Default "Features".</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>The image column read: an MLImage, a path, or encoded bytes. Default "Image".</summary>
    public string InputColumnName { get; set; } = "Image";

    /// <summary>The CLIP model (from <c>EvaluationModel.Load</c>); required. The transform does not dispose it.</summary>
    public EvaluationModel? Model { get; set; }

    /// <summary>
    /// Which vector: the projected embedding in the joint space (default, what zero-shot and
    /// retrieval compare), the class token or the mean of the patch tokens before the projection.
    /// </summary>
    public ImageFeature Pooling { get; set; } = ImageFeature.Embedding;

    /// <summary>Divide each vector by its L2 norm. Default true.</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Images per forward pass on the model's device, 1 to 65536. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Threads decoding one batch; 0 takes one per core. Default 0.</summary>
    public int DecodeThreads { get; set; }

    /// <summary>cpu, cuda or cuda:N to move the model to; null leaves it where it is. Default null.</summary>
    public string? Device { get; set; }

    internal void Validate()
    {
        Require(!string.IsNullOrEmpty(OutputColumnName), nameof(OutputColumnName), "a column name");
        Require(!string.IsNullOrEmpty(InputColumnName), nameof(InputColumnName), "a column name");
        Require(Model is not null, nameof(Model), "a loaded model (EvaluationModel.Load)");
        Require(Pooling != ImageFeature.Pixels && Enum.IsDefined(Pooling), nameof(Pooling), "Embedding, ClassToken or MeanPatches");
        Require(BatchSize is >= 1 and <= 65536, nameof(BatchSize), "1 to 65536", BatchSize);
        Require(DecodeThreads is >= 0 and <= 1024, nameof(DecodeThreads), "0 (one per core) to 1024", DecodeThreads);
        OptionCheck.Device(Device, nameof(Device));
    }

    private static void Require(bool ok, string option, string range, object? value = null) => OptionCheck.Require(ok, option, range, value);
}
