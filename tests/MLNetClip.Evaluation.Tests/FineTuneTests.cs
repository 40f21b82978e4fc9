using System.Text;
using MLNetClip.Data.Datasets;
using MLNetClip.Evaluation.FineTune;
using MLNetClip.Models;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Evaluation.Tests;

/// <summary>Layer-wise decay against the BEiT/MAE formula by name, a tiny fine-tune that learns, and bad columns named.</summary>
public class FineTuneTests
{
    [Fact]
    public void LayerDecayScalesFollowTheFormulaForEveryParameter()
    {
        using var clip = new Clip(ClipPresets.VitMicro());                    // 2 blocks
        using var classifier = new Linear(64, 5);
        const double d = 0.6;
        var groups = LayerDecay.Groups(clip.Visual, classifier, d, weightDecay: 0.05);
        // By hand for depth 2: embeddings and pre-norm d³, block 0 d², block 1 d¹, after the blocks d⁰.
        static double Expected(string name) =>
            name.StartsWith("patch_embed.") || name is "cls_token" or "pos_embed" || name.StartsWith("norm_pre.") ? d * d * d
            : name.StartsWith("blocks.0.") ? d * d
            : name.StartsWith("blocks.1.") ? d
            : 1.0;
        var named = clip.Visual.NamedParameters().Concat(classifier.NamedParameters().Select(p => KeyValuePair.Create("classifier." + p.Key, p.Value))).ToList();
        Assert.Equal(named.Count, groups.Sum(g => g.Parameters.Count));
        foreach (var (name, parameter) in named)
        {
            var group = Assert.Single(groups, g => g.Parameters.Any(p => ReferenceEquals(p, parameter)));
            Assert.Equal(Expected(name), group.LearningRateScale, 12);
            Assert.Equal(parameter.Dim < 2 || name.Contains("embed") || name.Contains("token") ? 0 : 0.05, group.WeightDecay);
            if (!name.StartsWith("classifier.")) Assert.Equal(Expected(name), LayerDecay.Scale(name, 2, d), 12);
        }
        Assert.Contains(named, p => p.Key == "blocks.1.attn.out_proj.weight" || p.Key.StartsWith("blocks.1."));
        Assert.Throws<ArgumentException>(() => LayerDecay.Layer("blocks.2.mlp.fc1.weight", 2));
        Assert.All(LayerDecay.Groups(clip.Visual, classifier, 1.0, 0), g => Assert.Equal(1.0, g.LearningRateScale));
    }

    /// <summary>Warm (red-heavy) and cool (blue-heavy) noise pictures, every third in the test split.</summary>
    private static string WriteWarmAndCool(string dir, int count)
    {
        Directory.CreateDirectory(Path.Combine(dir, "images"));
        var lines = new StringBuilder("filepath\tlabel\tsplit\n");
        var random = new Random(3);
        for (var i = 0; i < count; i++)
        {
            var warm = i % 2 == 0;
            var rgb = new byte[32 * 32 * 3];
            for (var p = 0; p < 32 * 32; p++)
            {
                var hot = (byte)random.Next(150, 256);
                var cold = (byte)random.Next(0, 106);
                rgb[3 * p] = warm ? hot : cold;
                rgb[3 * p + 1] = (byte)random.Next(256);
                rgb[3 * p + 2] = warm ? cold : hot;
            }
            File.WriteAllBytes(Path.Combine(dir, $"images/{i:D3}.png"), TrainingTestData.Png(32, 32, rgb));
            lines.Append($"images/{i:D3}.png\t{(warm ? "warm" : "cool")}\t{(i % 3 == 2 ? "test" : "train")}\n");
        }
        var path = Path.Combine(dir, "manifest.tsv");
        File.WriteAllText(path, lines.ToString());
        return path;
    }

    [Fact]
    public void ATinyFineTuneSeparatesWarmFromCool()
    {
        using var folder = new TempFolder();
        var manifest = WriteWarmAndCool(folder.Path, 48);
        var data = FineTuneData.Read(manifest, "filepath", "label", [ColumnFilter.Parse("split=train")], [ColumnFilter.Parse("split=test")]);
        Assert.Equal(["cool", "warm"], data.Train.ClassNames);
        Assert.Equal((32, 16), (data.Train.Count, data.Test.Count));
        using var clip = new Clip(ClipPresets.VitMicro());
        clip.To(TestDevice.Current);
        var baseline = LiveTensors.Baseline();
        var result = FineTuning.Run(clip.Visual, data.Train, data.Test,
            new FineTuneOptions { Steps = 24, BatchSize = 16, LearningRate = 2e-3, LayerDecay = 0.75, DecodeThreads = 2, WarmupFraction = 0.1 });
        Assert.Equal(baseline, Tensor.LiveCount);
        Assert.Equal(24, result.Steps);
        Assert.True(result.Test.Top1 >= 0.9, $"test top-1 {result.Test.Top1:P1}, final loss {result.FinalLoss:F3}");
        Assert.True(result.FinalLoss < 0.4, $"final loss {result.FinalLoss:F3}");
    }

    [Fact]
    public void ABadLabelColumnIsNamedInOneLine()
    {
        using var folder = new TempFolder();
        var manifest = WriteWarmAndCool(folder.Path, 6);
        var error = Assert.ThrowsAny<Exception>(() =>
            FineTuneData.Read(manifest, "filepath", "colour", [ColumnFilter.Parse("split=train")], [ColumnFilter.Parse("split=test")]));
        Assert.Contains("'colour'", error.Message);
        Assert.Contains("manifest.tsv", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("both", Assert.Throws<InvalidDataException>(() =>
            FineTuneData.Read(manifest, "filepath", "label", [], [ColumnFilter.Parse("split=test")])).Message);
    }
}
