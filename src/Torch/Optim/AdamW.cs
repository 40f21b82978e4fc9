using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch.Optim;

/// <summary>Parameters that share a learning-rate scale and a weight decay.</summary>
public sealed class ParamGroup
{
    public ParamGroup(IEnumerable<Tensor> parameters, double weightDecay, double learningRateScale = 1)
    {
        Parameters = parameters.ToArray();
        WeightDecay = weightDecay;
        LearningRateScale = learningRateScale;
    }

    public IReadOnlyList<Tensor> Parameters { get; }
    public double WeightDecay { get; set; }

    /// <summary>Multiplies the optimizer's learning rate for this group (1 for most).</summary>
    public double LearningRateScale { get; set; }

    /// <summary>
    /// Splits a module's trainable parameters into a decayed and an undecayed group. By default
    /// biases, gains (anything with fewer than 2 dimensions), embeddings and the logit scale skip
    /// decay, following open_clip's exclusion rule extended to embeddings.
    /// </summary>
    public static ParamGroup[] ForWeightDecay(Nn.Module module, double weightDecay, Func<string, Tensor, bool>? skipDecay = null)
    {
        skipDecay ??= DefaultSkipDecay;
        var trainable = module.NamedParameters().Where(p => p.Value.RequiresGrad).ToList();
        return
        [
            new ParamGroup(trainable.Where(p => !skipDecay(p.Key, p.Value)).Select(p => p.Value), weightDecay),
            new ParamGroup(trainable.Where(p => skipDecay(p.Key, p.Value)).Select(p => p.Value), 0),
        ];
    }

    public static bool DefaultSkipDecay(string name, Tensor p) =>
        p.Dim < 2 || name.Contains("embed", StringComparison.OrdinalIgnoreCase) ||
        name.Contains("logit_scale", StringComparison.Ordinal) || name.Contains("token", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Adam with decoupled weight decay, numerically the same as torch.optim.AdamW (no amsgrad).
/// A step over all parameters of a group is one native call.
/// </summary>
public sealed unsafe class AdamW : IDisposable
{
    private readonly List<GroupState> _groups = new();

    public AdamW(IEnumerable<ParamGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        if (learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be >= 0");
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must be in [0, 1)");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must be in [0, 1)");
        if (eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "must be > 0");
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        foreach (var g in groups)
        {
            if (g.WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(groups), g.WeightDecay, "weight decay must be >= 0");
            _groups.Add(new GroupState(g));
        }
    }

    public AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double weightDecay = 0.01)
        : this([new ParamGroup(parameters, weightDecay)], learningRate) { }

    public double LearningRate { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }

    /// <summary>Updates taken so far; the bias correction uses it.</summary>
    public long StepCount { get; private set; }

    public IReadOnlyList<ParamGroup> Groups => _groups.Select(g => g.Group).ToList();

    public void Step()
    {
        StepCount++;
        foreach (var g in _groups)
        {
            var n = g.Params.Length;
            if (n == 0) continue;
            g.EnsureState();
            int status;
            fixed (IntPtr* p = g.Params)
            fixed (IntPtr* m = g.ExpAvg)
            fixed (IntPtr* v = g.ExpAvgSq)
                status = N.mlc_adamw_step(p, m, v, n, LearningRate * g.Group.LearningRateScale, Beta1, Beta2, Eps, g.Group.WeightDecay, StepCount);
            GC.KeepAlive(g.Group);
            TorchException.Check(status);
        }
    }

    public void ZeroGrad()
    {
        foreach (var g in _groups)
            fixed (IntPtr* p = g.Params)
                TorchException.Check(N.mlc_zero_grad(p, g.Params.Length));
    }

    /// <summary>
    /// The moments by "group.index.exp_avg|exp_avg_sq" plus "step", for checkpoints.
    /// The tensors share storage with the optimizer; dispose the handles when done.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor> { ["step"] = Tensor.FromArray([StepCount]).DetachFromScope() };
        for (var gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            g.EnsureState();
            for (var i = 0; i < g.Params.Length; i++)
            {
                d[$"{gi}.{i}.exp_avg"] = g.MomentTensors[i].m.Detach().DetachFromScope();
                d[$"{gi}.{i}.exp_avg_sq"] = g.MomentTensors[i].v.Detach().DetachFromScope();
            }
        }
        return d;
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        if (!state.TryGetValue("step", out var step)) throw new KeyNotFoundException("optimizer state has no 'step' entry");
        using var noGrad = GradMode.NoGrad();
        for (var gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            g.EnsureState();
            for (var i = 0; i < g.Params.Length; i++)
            {
                g.MomentTensors[i].m.Copy_(Get(state, $"{gi}.{i}.exp_avg"));
                g.MomentTensors[i].v.Copy_(Get(state, $"{gi}.{i}.exp_avg_sq"));
            }
        }
        StepCount = step.ItemInt64();
    }

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> state, string key) =>
        state.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"optimizer state has no '{key}' entry");

    public void Dispose()
    {
        foreach (var g in _groups) g.Dispose();
    }

    private sealed class GroupState : IDisposable
    {
        public GroupState(ParamGroup group)
        {
            Group = group;
            Params = group.Parameters.Select(p => p.Handle).ToArray();
        }

        public ParamGroup Group { get; }
        public IntPtr[] Params { get; }
        public IntPtr[] ExpAvg { get; private set; } = [];
        public IntPtr[] ExpAvgSq { get; private set; } = [];
        public (Tensor m, Tensor v)[] MomentTensors { get; private set; } = [];

        // Moments are allocated lazily so that Module.To() before the first step places them right.
        public void EnsureState()
        {
            if (MomentTensors.Length == Params.Length) return;
            MomentTensors = Group.Parameters
                .Select(p => (Tensor.ZerosLike(p).DetachFromScope(), Tensor.ZerosLike(p).DetachFromScope()))
                .ToArray();
            ExpAvg = MomentTensors.Select(t => t.m.Handle).ToArray();
            ExpAvgSq = MomentTensors.Select(t => t.v.Handle).ToArray();
        }

        public void Dispose()
        {
            foreach (var (m, v) in MomentTensors)
            {
                m.Dispose();
                v.Dispose();
            }
        }
    }
}
