using MLNetClip.Torch;

namespace MLNetClip.Models;

/// <summary>
/// Named 0-d tensors a loss produced, in insertion order. Terms whose names end in "Loss" are
/// optimised (<see cref="Total"/> is their sum); any other term is a logged metric. Owns the tensors.
/// </summary>
public sealed class LossTerms : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _terms = new();
    private Tensor? _total;

    public IReadOnlyList<KeyValuePair<string, Tensor>> Terms => _terms;

    public Tensor this[string name] =>
        _terms.FirstOrDefault(t => t.Key == name).Value ?? throw new KeyNotFoundException($"no loss term named '{name}'");

    /// <summary>Takes ownership of <paramref name="value"/>.</summary>
    public void Add(string name, Tensor value)
    {
        if (_terms.Any(t => t.Key == name)) throw new ArgumentException($"loss term '{name}' is already present", nameof(name));
        if (_total is not null) throw new InvalidOperationException("terms cannot be added after Total was read");
        _terms.Add(new(name, value.DetachFromScope()));
    }

    /// <summary>The sum of every "*Loss" term (computed once, owned by this object).</summary>
    public Tensor Total
    {
        get
        {
            if (_total is not null) return _total;
            var losses = _terms.Where(t => t.Key.EndsWith("Loss", StringComparison.Ordinal)).Select(t => t.Value).ToList();
            if (losses.Count == 0) throw new InvalidOperationException("no term named *Loss to optimise");
            using (var scope = DisposeScope.Begin())
            {
                var sum = losses[0].View([]);
                for (var i = 1; i < losses.Count; i++) sum = sum + losses[i];
                _total = sum.DetachFromScope();
            }
            return _total;
        }
    }

    /// <summary>Every term's value as a double, for logging (synchronises with the device).</summary>
    public IReadOnlyDictionary<string, double> Values() => _terms.ToDictionary(t => t.Key, t => t.Value.Item());

    public void Dispose()
    {
        foreach (var (_, t) in _terms) t.Dispose();
        _total?.Dispose();
    }
}
