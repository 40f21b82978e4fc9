namespace MLNetClip.Torch.Tests;

public class GradModeTests
{
    [Fact]
    public void NoGradStopsRecordingAndRestoresOnDispose()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Ones([3]).RequiresGrad_();
        Assert.True(GradMode.IsEnabled);
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            var y = x * 2;
            Assert.False(y.RequiresGrad);
            Assert.True(y.IsLeaf);
        }
        Assert.True(GradMode.IsEnabled);
        Assert.True((x * 2).RequiresGrad);
    }

    [Fact]
    public void NestedModesRestoreInReverseOrder()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.Ones([2]).RequiresGrad_();
        using (GradMode.NoGrad())
        {
            using (GradMode.Enable())
            {
                Assert.True(GradMode.IsEnabled);
                Assert.True((x * 3).RequiresGrad);
            }
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void ADefaultValueRestoresNothing()
    {
        using (default(GradMode)) { }
        Assert.True(GradMode.IsEnabled);
        using (GradMode.NoGrad())
        {
            using (new GradMode()) { }
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void ModeIsPerThread()
    {
        using (GradMode.NoGrad())
        {
            var other = false;
            var thread = new Thread(() => other = GradMode.IsEnabled);
            thread.Start();
            thread.Join();
            Assert.True(other);
        }
    }

    [Fact]
    public void DetachCutsTheGraphAndGradAccumulatesAcrossBackwardCalls()
    {
        using var scope = DisposeScope.Begin();
        var x = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_();
        Assert.False(x.Detach().RequiresGrad);
        (x * 3).Sum().Backward();
        (x * x).Sum().Backward();
        Assert.Equal(new[] { 3 + 2.0, 3 + 4.0 }, x.Grad!.ToArray<double>());
        x.ZeroGrad();
        Assert.Null(x.Grad);
        var y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(new[] { 4.0, 8.0 }, x.Grad!.ToArray<double>());
    }
}
