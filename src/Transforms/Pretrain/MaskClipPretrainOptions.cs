using MLNetClip.Evaluation.Embedding;
using MLNetClip.Pretraining.Training;

namespace MLNetClip.Transforms.Pretrain;

/// <summary>
/// Options of <c>mlContext.Transforms.MaskClipPretrain</c>: a pretraining run (any method, with
/// <see cref="Pretraining"/>'s options), the columns it reads, where it writes, and the embedding
/// transform it returns.
/// </summary>
public sealed class MaskClipPretrainOptions
{
    /// <summary>The run: method, preset, length, batch size, learning rate, checkpoints, device…; checked when the estimator is built.</summary>
    public PretrainOptions Pretraining { get; set; } = new() { Steps = 100 };

    /// <summary>The image column: paths (String) or encoded bytes (Vector&lt;Byte&gt;). Default "ImagePath".</summary>
    public string ImageColumnName { get; set; } = "ImagePath";

    /// <summary>The caption column (String). Default "Caption".</summary>
    public string CaptionColumnName { get; set; } = "Caption";

    /// <summary>The run folder (config.json, metrics.jsonl, checkpoints/, model/); required.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Continue the run already in <see cref="OutputDirectory"/> from its newest checkpoint. Default false.</summary>
    public bool Resume { get; set; }

    /// <summary>Stops the run at the next step; a checkpoint is written and Fit throws OperationCanceledException naming it.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Told about the run as it goes (start, steps, metrics, checkpoints). Default none.</summary>
    public IPretrainProgress? Progress { get; set; }

    /// <summary>The returned transform's output column. Default "Features".</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>The returned transform's pooling. Default the projected embedding.</summary>
    public ImageFeature Pooling { get; set; } = ImageFeature.Embedding;

    internal void Validate()
    {
        OptionCheck.Require(Pretraining is not null, nameof(Pretraining), "a PretrainOptions");
        Pretraining!.Validate();
        OptionCheck.Require(!string.IsNullOrEmpty(ImageColumnName), nameof(ImageColumnName), "a column name");
        OptionCheck.Require(!string.IsNullOrEmpty(CaptionColumnName), nameof(CaptionColumnName), "a column name");
        OptionCheck.Require(!string.IsNullOrEmpty(OutputDirectory), nameof(OutputDirectory), "a folder for the run");
        OptionCheck.Require(!string.IsNullOrEmpty(OutputColumnName), nameof(OutputColumnName), "a column name");
        OptionCheck.Require(Pooling != ImageFeature.Pixels && Enum.IsDefined(Pooling), nameof(Pooling), "Embedding, ClassToken or MeanPatches");
    }
}
