using MLNetClip.Torch;

namespace MLNetClip.Torch.Tests;

public class ErrorHandlingTests
{
    [Fact]
    public void BadMatmulThrowsTorchExceptionWithLibtorchMessageAndProcessContinues()
    {
        using var a = Tensor.Ones([2, 3]);
        using var b = Tensor.Ones([4, 5]);
        var ex = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("cannot be multiplied", ex.Message);
        Assert.Contains("2x3", ex.Message);
        // The thread's error is cleared and later calls work normally.
        using var c = Tensor.Ones([3, 4]);
        using var d = a.MatMul(c);
        Assert.Equal(new long[] { 2, 4 }, d.Shape);
        Assert.All(d.ToArray<float>(), v => Assert.Equal(3f, v));
    }

    [Fact]
    public void DtypeMismatchIsAnExceptionNotACrash()
    {
        using var a = Tensor.Ones([2, 2]);
        using var idx = Tensor.FromArray(new[] { 0.5f, 1.5f });
        var ex = Assert.Throws<TorchException>(() => a.IndexSelect(0, idx));
        Assert.Contains("index", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UsingADisposedTensorThrowsObjectDisposed()
    {
        var a = Tensor.Ones([2]);
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.Sum());
    }

    [Fact]
    public void ErrorsOnOneThreadDoNotLeakToAnother()
    {
        using var a = Tensor.Ones([2, 3]);
        Assert.Throws<TorchException>(() => a.View(7));
        Tensor? other = null;
        var thread = new Thread(() =>
        {
            using var t = Tensor.Ones([2]);
            other = t.Grad; // null, with no stale error picked up from the first thread
        });
        thread.Start();
        thread.Join();
        Assert.Null(other);
    }
}
