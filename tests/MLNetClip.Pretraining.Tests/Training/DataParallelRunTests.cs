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
