using Microsoft.ML;
using MLNetClip.Evaluation.Embedding;

namespace MLNetClip.Trainers;

/// <summary><c>mlContext.MulticlassClassification.Trainers.MaskClipZeroShot</c>, with an Options overload.</summary>
public static class ZeroShotCatalog
{
    /// <summary>A zero-shot classifier over <paramref name="classNames"/> (class i is label key i + 1), prompts from <paramref name="templates"/>.</summary>
    public static ZeroShotTrainer MaskClipZeroShot(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        EvaluationModel model, IReadOnlyList<string> classNames, IReadOnlyList<string>? templates = null,
        string labelColumnName = "Label", string featureColumnName = "Features") =>
        new(new ZeroShotTrainerOptions
        {
            Model = model, ClassNames = classNames, Templates = templates, LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
        });

    public static ZeroShotTrainer MaskClipZeroShot(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        ZeroShotTrainerOptions options) => new(options);
}
