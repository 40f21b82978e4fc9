using MLNetClip.Pretraining.Training;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>Resuming with another world size: batch k of W ranks used k·W per-rank batches of the epoch.</summary>
public class DataParallelRunTests
{
    [Theory]
    [InlineData(5, 2, 2, 5)]     // same world size: unchanged
    [InlineData(5, 2, 1, 10)]    // 10 batches of one rank were used
    [InlineData(6, 1, 2, 3)]
    [InlineData(5, 1, 2, 3)]     // 5 used, ⌈5/2⌉: one batch's worth skipped, none repeated
    [InlineData(0, 4, 3, 0)]
    public void The_batch_index_is_rederived_so_no_sample_repeats(int batch, int oldWorld, int newWorld, int expected)
    {
        Assert.Equal(expected, DataParallelRun.RederiveBatchInEpoch(batch, oldWorld, newWorld));
        Assert.True((long)expected * newWorld >= (long)batch * oldWorld);
    }

    [Fact]
    public void Data_parallel_options_name_the_bad_key()
    {
        var e = Assert.Throws<PretrainOptionException>(() =>
            new PretrainOptions { Steps = 1, DataParallel = new DataParallelOptions { TimeoutSeconds = 0 } }.Validate());
        Assert.Equal("dataParallel.timeoutSeconds", e.Option);
    }
}

/// <summary>
/// The whole data-parallel path (broadcast, gathers with gradients, global masked means, global mask
/// draws, bucketed gradient and term averages) in a real one-rank gloo group: the identity, bit for
/// bit, with every tensor it made freed.
/// </summary>
public class OneRankGroupTests
{
    [Fact]
    public void A_one_rank_group_trains_bit_identical_to_no_group_and_frees_its_tensors()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 24);
        var options = TrainingRuns.Micro(3) with { Method = "maskclip", CheckpointEvery = 3 };
        TrainingRuns.Run(options, manifest, dir.File("alone"));

        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var group = MLNetClip.Torch.Distributed.ProcessGroup.Create("127.0.0.1", port, 0, 1, TimeSpan.FromSeconds(30), glooBind: "127.0.0.1");
        var live = LiveTensors.Baseline();
        var result = new Pretrainer(options, MLNetClip.Data.Datasets.ManifestSource.Open(manifest), dir.File("grouped")) { Group = group }.Run();
        Assert.Equal(live, MLNetClip.Torch.Tensor.LiveCount);
        Assert.Equal(3, result.Steps);
        TrainingRuns.AssertSameTensors(dir.File("alone", "checkpoints", "step-00000003", "method.safetensors"),
            dir.File("grouped", "checkpoints", "step-00000003", "method.safetensors"));
    }
}
