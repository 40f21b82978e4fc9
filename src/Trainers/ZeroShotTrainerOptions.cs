using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Trainers;

/// <summary>Options of <c>mlContext.MulticlassClassification.Trainers.MaskClipZeroShot</c>.</summary>
public sealed class ZeroShotTrainerOptions
{
    /// <summary>The CLIP model whose text tower embeds the prompts; required.</summary>
    public EvaluationModel? Model { get; set; }

    /// <summary>The classes, in key order (class i is key i + 1); at least 2, no duplicates.</summary>
    public IReadOnlyList<string> ClassNames { get; set; } = [];

    /// <summary>Prompt templates averaged per class, each holding "{}" once. Default: the 80 OpenAI ImageNet templates.</summary>
    public IReadOnlyList<string>? Templates { get; set; }

    /// <summary>The image-embedding column (MaskClipEmbed with Pooling = Embedding). Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>
    /// The label column, a key over the class names; checked at Fit when present (nothing is learned
    /// from it). Default "Label".
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Prompts per text-tower pass, 1 to 65536. Default 256.</summary>
    public int BatchSize { get; set; } = ZeroShotClassifier.DefaultBatchSize;

    internal IReadOnlyList<string> EffectiveTemplates => Templates ?? PromptTemplates.OpenAi;

    internal void Validate()
    {
        Require(Model is not null, nameof(Model), "a loaded model (EvaluationModel.Load)");
        Require(ClassNames is { Count: >= 2 }, nameof(ClassNames), "at least 2 class names", ClassNames?.Count);
        var duplicate = ClassNames!.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        Require(duplicate is null, nameof(ClassNames), "distinct names", duplicate);
        Require(EffectiveTemplates.Count > 0, nameof(Templates), "at least one template");
        foreach (var t in EffectiveTemplates)
            Require(t.Split(PromptTemplates.Placeholder).Length == 2, nameof(Templates), $"templates holding '{PromptTemplates.Placeholder}' exactly once", t);
        Require(!string.IsNullOrEmpty(FeatureColumnName), nameof(FeatureColumnName), "a column name");
        Require(BatchSize is >= 1 and <= 65536, nameof(BatchSize), "1 to 65536", BatchSize);
    }

    private static void Require(bool ok, string option, string range, object? value = null)
    {
        if (!ok) throw new ArgumentOutOfRangeException(option, value, $"option '{option}' must be {range}");
    }
}
