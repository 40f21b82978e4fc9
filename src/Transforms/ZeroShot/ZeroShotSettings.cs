namespace MLNetClip.Transforms.ZeroShot;

/// <summary>
/// A fitted zero-shot classifier's columns and classes; saved as is in the manifest, with the
/// class weights [C, E] as the float array <see cref="WeightsArray"/> (set when saving).
/// </summary>
internal sealed record ZeroShotSettings(string FeatureColumn, string ScoreColumn, string PredictedLabelColumn,
    IReadOnlyList<string> ClassNames, IReadOnlyList<string> Templates, double LogitScale, string? WeightsArray = null);
