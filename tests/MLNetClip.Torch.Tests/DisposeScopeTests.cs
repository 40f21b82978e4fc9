namespace MLNetClip.Torch.Tests;

public class DisposeScopeTests
{
    // Tensors left to finalizers by earlier tests would otherwise be freed in the middle of a count.
    internal static long SettledLiveCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.LiveCount;
    }

    [Fact]
    public void ClosingAScopeFreesEveryIntermediate()
    {
        var baseline = SettledLiveCount();
        var created = new List<Tensor>();
        using (var scope = DisposeScope.Begin())
        {
            var x = Tensor.Randn([4, 4]).RequiresGrad_();
            var y = F.Gelu(x.MatMul(x) + 1).Sum(0);
            var (values, indices) = y.TopK(2);
            var pieces = x.Chunk(2);
            y.Sum().Backward();
            var grad = x.Grad!;
            created.AddRange([x, y, values, indices, grad, .. pieces]);
            Assert.True(scope.Count >= created.Count, $"scope tracks {scope.Count} tensors, {created.Count} were made");
            Assert.True(Tensor.LiveCount >= baseline + created.Count);
        }
        Assert.All(created, t => Assert.True(t.IsDisposed));
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void InnerScopeFreesOnlyItsOwnTensors()
    {
        var baseline = SettledLiveCount();
        using (DisposeScope.Begin())
        {
            var outer = Tensor.Ones([3]);
            Tensor inner;
            using (DisposeScope.Begin())
            {
                inner = outer * 2;
                Assert.False(inner.IsDisposed);
            }
            Assert.True(inner.IsDisposed);
            Assert.False(outer.IsDisposed);
            Assert.Equal(3.0, outer.Sum().Item());
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void MoveToOuterScopeHandsAResultOutOneLevel()
    {
        var baseline = SettledLiveCount();
        Tensor result;
        using (DisposeScope.Begin())
        {
            using (DisposeScope.Begin())
            {
                var a = Tensor.Ones([2, 2]);
                result = (a + a).MoveToOuterScope();
            }
            Assert.False(result.IsDisposed);
            Assert.Equal(baseline + 1, Tensor.LiveCount);
            Assert.Equal(8.0, result.Sum().Item());
        }
        Assert.True(result.IsDisposed);
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void MoveToOuterScopeFromTheOutermostScopeGivesOwnershipToTheCaller()
    {
        var baseline = SettledLiveCount();
        Tensor kept;
        using (DisposeScope.Begin())
            kept = Tensor.Ones([2]).MoveToOuterScope();
        Assert.False(kept.IsDisposed);
        kept.Dispose();
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void DetachFromScopeSurvivesEveryEnclosingScope()
    {
        var baseline = SettledLiveCount();
        Tensor kept;
        using (DisposeScope.Begin())
        using (DisposeScope.Begin())
            kept = Tensor.Zeros([5]).DetachFromScope();
        Assert.False(kept.IsDisposed);
        Assert.Equal(baseline + 1, Tensor.LiveCount);
        kept.Dispose();
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void TensorsDisposedByHandInsideAScopeAreNotFreedTwice()
    {
        var baseline = SettledLiveCount();
        using (DisposeScope.Begin())
        {
            var a = Tensor.Ones([2]);
            var b = a * 3;
            a.Dispose();
            Assert.Equal(6.0, b.Sum().Item());
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void TensorsMadeOutsideAnyScopeAreNotTracked()
    {
        var t = Tensor.Ones([1]);
        using (DisposeScope.Begin()) { }
        Assert.False(t.IsDisposed);
        t.Dispose();
    }

    [Fact]
    public void ClosingScopesOutOfOrderIsAnError()
    {
        var baseline = SettledLiveCount();
        var outer = DisposeScope.Begin();
        var a = Tensor.Ones([1]);
        var inner = DisposeScope.Begin();
        var b = Tensor.Ones([1]);
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        Assert.False(a.IsDisposed);
        // After the error both scopes still close in the right order and free their tensors.
        inner.Dispose();
        Assert.True(b.IsDisposed);
        outer.Dispose();
        Assert.True(a.IsDisposed);
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void ScopesAreIndependentPerThread()
    {
        using var scope = DisposeScope.Begin();
        Tensor? fromOtherThread = null;
        var thread = new Thread(() => fromOtherThread = Tensor.Ones([1]));
        thread.Start();
        thread.Join();
        Assert.Equal(0, scope.Count);
        Assert.False(fromOtherThread!.IsDisposed);
        fromOtherThread.Dispose();
    }
}
