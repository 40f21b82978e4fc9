using System.Text.Json;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Cli.Tests.Distributed;

/// <summary>
/// Every collective across real processes (gloo on loopback, through `launch` and `distcheck`),
/// against closed forms worked out here by hand, for 2 and 3 ranks; and a collective's timeout.
/// </summary>
public class CollectiveTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_collective_matches_its_hand_computation(int world)
    {
        using var dir = new TempFolder();
        var (exit, stdout, stderr) = Launcher.Run(dir.Path, "launch", "--nproc", $"{world}", "--", "distcheck", "--timeout", "60");
        Assert.True(exit == 0, $"exit {exit}: {stdout}\n{stderr}");
        double w = world, sumR = world * (world - 1) / 2.0, sumR2 = Enumerable.Range(0, world).Sum(r => (double)r * r);
        double factorial = Enumerable.Range(1, world).Aggregate(1.0, (a, b) => a * b);
        for (var rank = 0; rank < world; rank++)
        {
            var line = Launcher.Lines(stdout, rank).Single(l => l.StartsWith("distcheck rank", StringComparison.Ordinal) && l.Contains('{'));
            var got = JsonSerializer.Deserialize<Dictionary<string, double[]>>(line[line.IndexOf('{')..])!;
            Assert.Equal([w * (w + 1) / 2, w * (w + 1)], got["allReduceSum"]);
            Assert.Equal([w - 1, 0], got["allReduceMax"]);
            Assert.Equal([0, -(w - 1)], got["allReduceMin"]);
            Assert.Equal([factorial], got["allReduceProduct"]);
            Assert.Equal((w - 1) / 2, got["allReduceMean"][0], 6);
            Assert.Equal([sumR, w, 2 * w, 3 * w, 4 * w, 5 * w], got["bucketedFloat"]);
            Assert.Equal([10 * sumR], got["bucketedLong"]);
            Assert.Equal([sumR, sumR2], got["bucketedDouble"]);
            Assert.Equal([(w - 1) * 10, (w - 1) * 10 + 1, (w - 1) * 10 + 2], got["broadcastFromLast"]);
            Assert.Equal(Enumerable.Range(0, world).SelectMany(r => new[] { r, r + 0.5 }), got["allGather"]);
            Assert.Equal(Enumerable.Range(0, world).SelectMany(r => Enumerable.Repeat(r + 1.0, 6)), got["gatherWithGradValues"]);
            // Σ w⊙gather(x) on every rank, w = 0, 1, 2, …: this rank's gradient is W times its own slice of w.
            Assert.Equal(Enumerable.Range(0, 6).Select(k => w * (6 * rank + k)), got["gatherWithGradGradient"]);
            // Two backwards of (r+1)·Σ[1,2]⊙a + Σb²/2, the second armed: the mean over ranks of twice each gradient.
            Assert.Equal([w + 1, 2 * (w + 1)], got["reducerA"]);
            Assert.Equal([w - 1, w - 1, w - 1], got["reducerB"]);
            Assert.Equal([0], got["reducerUnusedHasGrad"]);
            Assert.Equal([3], got["reducerBuckets"]);
            Assert.Equal([2], got["reducerLaunchedInBackward"]);
            Assert.Contains($"distcheck rank {rank}/{world} barrier passed", Launcher.Lines(stdout, rank));
        }
    }

    [Fact]
    public void A_collective_fails_once_its_timeout_passes_and_names_itself()
    {
        using var dir = new TempFolder();
        // Rank 1 sleeps 10 s before the last barrier; rank 0 may wait 2 s. Finishing the barrier would
        // take rank 1's 10 s, so rank 0 failing (not passing) shows the timeout fired.
        var (exit, stdout, stderr) = Launcher.Run(dir.Path, "launch", "--nproc", "2", "--grace", "60", "--",
            "distcheck", "--timeout", "2", "--stall-rank", "1", "--stall-seconds", "10");
        Assert.Equal(ExitCodes.Torch, exit);
        var rank0 = string.Join('\n', Launcher.Lines(stderr, 0));
        Assert.Contains("distributed barrier failed after at most 2000 ms", rank0);
        Assert.DoesNotContain("distcheck rank 0/2 barrier passed", stdout);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Contains("launch: rank 0", stderr);
    }
}
