using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;
using Xunit.Abstractions;

namespace MLNetClip.Cli.Tests.Distributed;

/// <summary>
/// Data parallelism changes where the work runs, not what is computed: 2 gloo workers with batch B
/// each end 20 steps with the parameters (teacher and decoders included) of 1 process with batch 2B.
/// The shards are rows of one global batch (BatchShard): features are gathered with their
/// gradients, masked means divide by the global count, and the masks are the same draws.
/// </summary>
public class EquivalenceTests(ITestOutputHelper log)
{
    // AdamW is nearly blind to a gradient's scale (a sum instead of a mean would pass unseen), so a
    // large eps and no clipping make the update follow the gradient's size as plain momentum SGD does.
    private const string Config =
        """{ "threads": 1, "workers": 1, "checkpointEvery": 20, "logEvery": 5, "warmupSteps": 2, "learningRate": 0.002, "eps": 0.1, "gradClipNorm": 0 }""";

    [Theory]
    [InlineData("clip", false, true)]      // every rank scores the global batch (gather_with_grad); all-reduce inside backward
    [InlineData("maskclip", true, true)]   // each rank scores its own rows (local_loss)
    [InlineData("clip", false, false)]     // every bucket all-reduced after backward instead
    public void Two_workers_with_batch_B_match_one_process_with_batch_2B(string method, bool localLoss, bool overlap)
    {
        using var dir = new TempFolder();
        var data = TrainingTestData.WriteManifest(dir.Path, 40);   // 5 global batches an epoch: 20 steps cross 3 epoch ends
        var config = dir.File("run.json");
        // Small buckets, so the overlapping runs launch several of them from inside backward.
        var parallel = $$"""{ "localLoss": {{(localLoss ? "true" : "false")}}, "overlapGradients": {{(overlap ? "true" : "false")}}, "gradBucketMegabytes": 0.05 }""";
        File.WriteAllText(config, Config.Replace(" }", ", \"dataParallel\": " + parallel + " }"));
        string[] Args(string output, int batch) =>
            ["pretrain", "--method", method, "--data", data, "--out", output, "--preset", "ViT-Micro", "--steps", "20",
             "--batch-size", $"{batch}", "--seed", "3", "--config", config];

        var single = Launcher.Run(dir.Path, Args(dir.File("single"), 8));
        Assert.True(single.Exit == 0, $"exit {single.Exit}: {single.Out}\n{single.Err}");
        var run = Launcher.Run(dir.Path, ["launch", "--nproc", "2", "--", .. Args(dir.File("parallel"), 4)]);
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Out}\n{run.Err}");

        var worst = MaxDifference(Weights(dir.File("single")), Weights(dir.File("parallel")));
        log.WriteLine($"{method} (localLoss {localLoss}, overlap {overlap}): largest difference {worst.Value:E2} in {worst.Name}");
        Assert.True(worst.Value <= 1e-5, $"{worst.Name} differs by {worst.Value:E2}");
        // Only rank 0 wrote the run folder, and it logged the global terms.
        Assert.Single(Directory.GetDirectories(dir.File("parallel", "checkpoints")));
        Assert.Empty(Launcher.Lines(run.Out, 1).Where(l => l.StartsWith("step ", StringComparison.Ordinal)));
    }

    private static string Weights(string run) =>
        Path.Combine(Directory.GetDirectories(Path.Combine(run, "checkpoints"), "step-*").Single(), "method.safetensors");

    /// <summary>The largest absolute element difference over every tensor of two checkpoints, and where.</summary>
    internal static (string Name, double Value) MaxDifference(string a, string b)
    {
        using var left = SafeTensors.Load(a);
        using var right = SafeTensors.Load(b);
        Assert.Equal(left.Tensors.Keys.Order(), right.Tensors.Keys.Order());
        var worst = ("", 0.0);
        foreach (var (name, x) in left.Tensors)
        {
            using var scope = DisposeScope.Begin();
            var d = (x.To(ScalarType.Float64) - right.Tensors[name].To(ScalarType.Float64)).Abs().Max().Item();
            Assert.True(double.IsFinite(d), $"{name} is not finite");
            if (d > worst.Item2) worst = (name, d);
        }
        return worst;
    }
}
