namespace MLNetClip.Torch.Nn;

/// <summary>
/// A layer or model: owns named parameters, buffers and submodules, and disposes them.
/// Registration is explicit (<c>Register(nameof(field), …)</c>) rather than reflective so that
/// trimmed, self-contained builds keep every name, and those names are the checkpoint keys.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = new();
    private readonly List<(string Name, Tensor Tensor, bool Persistent)> _buffers = new();
    private readonly List<KeyValuePair<string, Module>> _modules = new();
    private bool _disposed;

    public bool Training { get; private set; } = true;

    protected T Register<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _modules.Add(new(name, module));
        return module;
    }

    /// <summary>Takes ownership of <paramref name="tensor"/> as a trainable parameter.</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor, bool requiresGrad = true)
    {
        CheckName(name);
        tensor.DetachFromScope();
        tensor.RequiresGrad = requiresGrad;
        _parameters.Add(new(name, tensor));
        return tensor;
    }

    /// <summary>Takes ownership of a non-trainable tensor; persistent buffers are saved in the state dict.</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor, bool persistent = true)
    {
        CheckName(name);
        tensor.DetachFromScope();
        _buffers.Add((name, tensor, persistent));
        return tensor;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name (non-empty, no '.')", nameof(name));
        if (_parameters.Any(p => p.Key == name) || _buffers.Any(b => b.Name == name) || _modules.Any(m => m.Key == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
    }

    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _modules;

    /// <summary>This module and every descendant, with dotted names ("" for this one).</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedModules(string prefix = "")
    {
        yield return new(prefix, this);
        foreach (var (name, child) in _modules)
            foreach (var m in child.NamedModules(Join(prefix, name)))
                yield return m;
    }

    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? NamedModules() : [new("", this)])
            foreach (var (name, p) in module._parameters)
                yield return new(Join(prefix, name), p);
    }

    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(p => p.Value);

    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers(bool persistentOnly = false)
    {
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, b, persistent) in module._buffers)
                if (persistent || !persistentOnly)
                    yield return new(Join(prefix, name), b);
    }

    /// <summary>Number of parameter elements (all, or only the trainable ones).</summary>
    public long ParameterCount(bool trainableOnly = false) =>
        Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => p.NumberOfElements);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes ----

    public virtual Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, child) in _modules) child.Train(training);
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Stops gradients for every parameter (a frozen teacher, a linear probe's backbone).</summary>
    public Module Freeze()
    {
        foreach (var p in Parameters()) p.RequiresGrad = false;
        return this;
    }

    public Module Unfreeze()
    {
        foreach (var p in Parameters()) p.RequiresGrad = true;
        return this;
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>
    /// Moves parameters and buffers in place: handles held elsewhere (an optimizer) stay valid.
    /// Only floating-point tensors change dtype; integer buffers keep theirs.
    /// </summary>
    public Module To(Device device, ScalarType? dtype = null)
    {
        using var noGrad = GradMode.NoGrad();
        foreach (var t in Parameters().Concat(NamedBuffers().Select(b => b.Value)))
        {
            var target = dtype.HasValue && t.DType.IsFloatingPoint() ? dtype.Value : t.DType;
            if (t.Device == device && t.DType == target) continue;
            using var moved = t.To(device, target);
            t.SetData(moved);
            t.Grad = null;
        }
        return this;
    }

    // ---- state dict ----

    /// <summary>
    /// Parameters and persistent buffers by dotted name. The tensors are new handles sharing
    /// storage with the module (detached from autograd); dispose them when done.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, t) in NamedParameters().Concat(NamedBuffers(persistentOnly: true)))
            result[name] = t.Detach().DetachFromScope();
        return result;
    }

    /// <summary>
    /// Copies tensors into this module's parameters and buffers (converting dtype and device).
    /// Every missing, unexpected or wrong-shaped key is reported together in one exception.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = NamedParameters().Concat(NamedBuffers(persistentOnly: true)).ToList();
        var missing = new List<string>();
        var mismatched = new List<string>();
        foreach (var (name, t) in own)
        {
            if (!state.TryGetValue(name, out var src)) { missing.Add(name); continue; }
            var want = t.Shape;
            var have = src.Shape;
            if (!want.SequenceEqual(have))
                mismatched.Add($"{name}: expected [{string.Join(", ", want)}], got [{string.Join(", ", have)}]");
        }
        var ownNames = own.Select(p => p.Key).ToHashSet();
        var unexpected = state.Keys.Where(k => !ownNames.Contains(k)).ToList();
        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new StateDictException(missing, unexpected, mismatched);

        using var noGrad = GradMode.NoGrad();
        foreach (var (name, t) in own)
            if (state.TryGetValue(name, out var src))
                t.Copy_(src);
    }

    // ---- disposal ----

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach (var (_, p) in _parameters) p.Dispose();
        foreach (var b in _buffers) b.Tensor.Dispose();
        foreach (var (_, m) in _modules) m.Dispose();
    }
}

/// <summary>A module with a single-input forward pass.</summary>
public abstract class Module<TIn, TOut> : Module
{
    public abstract TOut Forward(TIn input);
}

/// <summary>A state dict that does not fit the module; lists every problem at once.</summary>
public sealed class StateDictException : Exception
{
    public StateDictException(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        : base(Describe(missing, unexpected, mismatched))
    {
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> Unexpected { get; }
    public IReadOnlyList<string> Mismatched { get; }

    private static string Describe(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"missing ({missing.Count}): {string.Join(", ", missing)}");
        if (unexpected.Count > 0) parts.Add($"unexpected ({unexpected.Count}): {string.Join(", ", unexpected)}");
        if (mismatched.Count > 0) parts.Add($"wrong shape ({mismatched.Count}): {string.Join("; ", mismatched)}");
        return "state dict does not match the model: " + string.Join(" | ", parts);
    }
}
