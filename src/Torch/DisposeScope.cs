namespace MLNetClip.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope and frees
/// them when disposed. A batch or a Forward runs inside one; results that must outlive it
/// are handed out with <see cref="Tensor.MoveToOuterScope"/> or <see cref="Tensor.DetachFromScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    // Scopes open and close once per batch or Forward; reusing their lists keeps that cheap.
    [ThreadStatic] private static Stack<List<Tensor>>? _spareLists;

    private readonly List<Tensor> _tensors;
    private readonly DisposeScope? _outer;
    private bool _disposed;

    private DisposeScope()
    {
        _spareLists ??= new Stack<List<Tensor>>();
        _tensors = _spareLists.Count > 0 ? _spareLists.Pop() : new List<Tensor>();
        _outer = _current;
        _current = this;
    }

    /// <summary>Opens a scope that becomes the innermost one on this thread.</summary>
    public static DisposeScope Begin() => new();

    internal static DisposeScope? Current => _current;

    internal DisposeScope? Outer => _outer;

    /// <summary>Tensors this scope will free.</summary>
    public int Count => _tensors.Count;

    internal void Track(Tensor t)
    {
        t.Scope = this;
        _tensors.Add(t);
    }

    // Removing is rare (only tensors that leave the scope), so a reverse linear scan is
    // cheaper overall than keeping a hash set on the hot creation path.
    internal void Untrack(Tensor t)
    {
        for (var i = _tensors.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_tensors[i], t))
            {
                _tensors.RemoveAt(i);
                break;
            }
        }
        t.Scope = null;
    }

    public void Dispose()
    {
        if (_disposed) return;
        // Checked before marking this scope closed, so that after the error the inner scopes
        // and then this one can still be closed properly instead of leaving a dead scope current.
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("dispose scopes must be closed in reverse order of opening");
        _disposed = true;
        _current = _outer;
        foreach (var t in _tensors)
        {
            t.Scope = null;
            t.Dispose();
        }
        _tensors.Clear();
        if (_spareLists!.Count < 16) _spareLists.Push(_tensors);
    }
}
