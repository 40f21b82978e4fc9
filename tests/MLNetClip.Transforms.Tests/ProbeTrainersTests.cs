using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Transforms.Tests;

/// <summary>The documented probe pipelines: MaskClipEmbed feeding ML.NET's SdcaMaximumEntropy and LightGbm unchanged.</summary>
public class ProbeTrainersTests
{
    [Fact]
    public void EmbeddingsFeedSdcaAndLightGbm()
    {
        using var folder = new TempFolder();
        var (paths, _) = TestModels.Images(folder, 24, size: 32);
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Fixture();
        // Label = the pattern's shape (i / 8 % 4 in the generator), which the pixels show.
        var data = ml.Data.LoadFromEnumerable(paths.Select((p, i) => new ImageRow { Path = p, Label = $"shape{i / 8 % 4}" }).ToList());
        var embed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(ImageRow.Label))
            .Append(ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model))
            .AppendCacheCheckpoint(ml);
        var sdca = embed.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(data);
        var lightGbm = embed.Append(ml.MulticlassClassification.Trainers.LightGbm(minimumExampleCountPerLeaf: 2, numberOfIterations: 20)).Fit(data);
        foreach (var fitted in new ITransformer[] { sdca, lightGbm })
        {
            var metrics = ml.MulticlassClassification.Evaluate(fitted.Transform(data));
            Assert.Equal(3, ((VectorDataViewType)fitted.Transform(data).Schema["Score"].Type).Size);
            Assert.True(metrics.MicroAccuracy > 1.0 / 3, $"training accuracy {metrics.MicroAccuracy} is no better than chance");
        }
    }
}
