namespace MLNetClip.Torch.Tests;

/// <summary>
/// Loading our library makes libgomp's idle threads sleep (OMP_WAIT_POLICY=PASSIVE) unless the
/// user chose a policy; libgomp reads it only when it is loaded, so it must already be in the
/// native environment then, not just in .NET's managed copy of it.
/// </summary>
public class ThreadWaitPolicyTests
{
    [Fact]
    public void PassiveUnlessTheUserChoseAPolicy()
    {
        var user = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        var spin = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        var seen = TorchRuntime.ThreadWaitPolicy;
        if (!string.IsNullOrEmpty(user)) Assert.Equal(user, seen);
        else if (string.IsNullOrEmpty(spin)) Assert.Equal("PASSIVE", seen);
        else Assert.Null(seen);
    }

    [Fact]
    public void TheNativeEnvironmentHoldsThePolicyBeforeLibgompIsUsed()
    {
        // The policy only matters if this process's OpenMP runtime is libgomp, loaded with libtorch.
        using var scope = DisposeScope.Begin();
        _ = (Tensor.Ones([1 << 16]) + 1).Sum().Item();
        var maps = File.ReadAllText("/proc/self/maps");
        Assert.Contains("libgomp", maps);
        Assert.NotNull(TorchRuntime.ThreadWaitPolicy ?? Environment.GetEnvironmentVariable("GOMP_SPINCOUNT"));
    }
}
