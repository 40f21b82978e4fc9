using MLNetClip.Data.Datasets;
using MLNetClip.Pretraining.Training;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>Options are checked before anything runs; a bad one is named with its allowed range.</summary>
public class PretrainOptionsTests
{
    private static readonly PretrainOptions Good = new() { Steps = 10 };

    // Each key's bad case: an otherwise valid options object with that one value out of range.
    private static readonly Dictionary<string, (PretrainOptions Options, string Range)> Cases = new()
    {
        ["method"] = (Good with { Method = "simclr" }, "one of clip"),
        ["preset"] = (Good with { Preset = "ViT-Huge" }, "ViT-Tiny"),
        ["steps"] = (Good with { Steps = 0 }, "1 or more"),
        ["epochs"] = (new PretrainOptions { Epochs = -1 }, "above 0"),
        ["minutes"] = (new PretrainOptions { Minutes = double.NaN }, "above 0"),
        ["batchSize"] = (Good with { BatchSize = 0 }, "1 to 65536"),
        ["accumulationSteps"] = (Good with { BatchSize = 10, AccumulationSteps = 4 }, "dividing batchSize (10)"),
        ["learningRate"] = (Good with { LearningRate = -1 }, "0 or more"),
        ["minLearningRate"] = (Good with { MinLearningRate = 1 }, "0 to learningRate"),
        ["warmupSteps"] = (Good with { WarmupSteps = -5 }, "0 or more"),
        ["weightDecay"] = (Good with { WeightDecay = double.PositiveInfinity }, "0 or more"),
        ["beta1"] = (Good with { Beta1 = 1 }, "1 excluded"),
        ["beta2"] = (Good with { Beta2 = -0.1 }, "1 excluded"),
        ["eps"] = (Good with { Eps = 0 }, "above 0"),
        ["gradClipNorm"] = (Good with { GradClipNorm = -1 }, "0 (off) or more"),
        ["device"] = (Good with { Device = "tpu" }, "cpu, cuda or cuda:N"),
        ["threads"] = (Good with { Threads = -1 }, "0 (every core)"),
        ["workers"] = (Good with { Workers = 0 }, "1 to 64"),
        ["checkpointEvery"] = (Good with { CheckpointEvery = -1 }, "0 (only at the end)"),
        ["keepCheckpoints"] = (Good with { KeepCheckpoints = 0 }, "1 to 1000"),
        ["logEvery"] = (Good with { LogEvery = 0 }, "1 or more"),
        ["maxBadSteps"] = (Good with { MaxBadSteps = 0 }, "1 or more"),
    };

    public static IEnumerable<object[]> BadKeys() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void A_bad_value_is_named_with_its_range(string key)
    {
        var (options, range) = Cases[key];
        var e = Assert.Throws<PretrainOptionException>(options.Validate);
        Assert.Equal(key, e.Option);
        Assert.StartsWith($"option '{key}' must be ", e.Message);
        Assert.Contains(range, e.Message);
        Assert.Contains("; got ", e.Message);
    }

    [Fact]
    public void Exactly_one_of_steps_epochs_and_minutes_sets_the_length()
    {
        Good.Validate();
        new PretrainOptions { Minutes = 0.5 }.Validate();
        var none = Assert.Throws<PretrainOptionException>(new PretrainOptions().Validate);
        Assert.Contains("exactly one of the options 'steps', 'epochs' or 'minutes'", none.Message);
        Assert.EndsWith("0 given", none.Message);
        var two = Assert.Throws<PretrainOptionException>((Good with { Epochs = 2 }).Validate);
        Assert.Contains("2 given", two.Message);
    }

    [Fact]
    public void The_trainer_refuses_bad_options_before_touching_the_output_folder()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 8);
        var output = dir.File("run");
        Assert.Throws<PretrainOptionException>(() => new Pretrainer(Good with { BatchSize = -3 }, ManifestSource.Open(manifest), output));
        Assert.False(Directory.Exists(output));
    }
}
