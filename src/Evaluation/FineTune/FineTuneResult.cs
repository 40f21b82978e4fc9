using MLNetClip.Evaluation.Classification;

namespace MLNetClip.Evaluation.FineTune;

/// <summary>What a fine-tune reached on the test images, and how it got there.</summary>
/// <param name="Test">Top-1, top-5, balanced accuracy and confusion on the test images.</param>
/// <param name="ClassNames">The classes, indexed as in the confusion matrix.</param>
/// <param name="Steps">Optimiser steps taken.</param>
/// <param name="FinalLoss">Mean training cross-entropy over the last tenth of the steps.</param>
/// <param name="TrainImages">Distinct training images.</param>
/// <param name="TestImages">Distinct test images.</param>
/// <param name="Seconds">Wall time of the training.</param>
public sealed record FineTuneResult(ClassificationResult Test, IReadOnlyList<string> ClassNames, int Steps, double FinalLoss,
    int TrainImages, int TestImages, double Seconds);
