using MLNetClip.Torch.Nn;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Torch.Tests.Nn;

public class ModuleTests
{
    [Fact]
    public void NamedParametersUseRegistrationNamesOwnMembersFirst()
    {
        using var net = new TinyNet();
        Assert.Equal(
            ["logit_scale", "fc.weight", "fc.bias", "norm.weight", "norm.bias", "head.weight"],
            net.NamedParameters().Select(p => p.Key));
        Assert.Equal(["logit_scale"], net.NamedParameters(recurse: false).Select(p => p.Key));
        Assert.Equal(["steps", "scratch"], net.NamedBuffers().Select(b => b.Key));
        Assert.Equal(["", "fc", "norm", "drop", "head"], net.NamedModules().Select(m => m.Key));
        Assert.Equal(1 + 4 * 8 + 8 + 8 + 8 + 8 * 3, net.ParameterCount());
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void StateDictHoldsParametersAndPersistentBuffersOnly()
    {
        using var net = new TinyNet();
        var state = net.StateDict();
        try
        {
            Assert.Equal(
                new[] { "logit_scale", "fc.weight", "fc.bias", "norm.weight", "norm.bias", "head.weight", "steps" }.Order(),
                state.Keys.Order());
            Assert.Equal(new long[] { 8, 4 }, state["fc.weight"].Shape);
            Assert.False(state["fc.weight"].RequiresGrad);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    [Fact]
    public void LoadStateDictRoundTripsIntoAFreshModel()
    {
        using var scope = DisposeScope.Begin();
        using var a = new TinyNet();
        using var b = new TinyNet();
        using (GradMode.NoGrad()) a.Steps.Fill_(17);
        a.Eval();
        b.Eval();
        var x = Tensor.Randn([5, 4]);
        Assert.False(a.Forward(x).AllClose(b.Forward(x)));

        var state = a.StateDict();
        b.LoadStateDict(state);
        foreach (var t in state.Values) t.Dispose();
        Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        Assert.Equal(17L, b.Steps.ItemInt64());

        // The copy is by value: changing a afterwards leaves b alone.
        using (GradMode.NoGrad()) a.Fc.Weight.Fill_(0);
        Assert.NotEqual(a.Fc.Weight.ToArray<float>(), b.Fc.Weight.ToArray<float>());
    }

    [Fact]
    public void LoadStateDictReportsEveryProblemInOneExceptionAndChangesNothing()
    {
        using var scope = DisposeScope.Begin();
        using var source = new TinyNet();
        using var target = new TinyNet();
        var before = target.Fc.Weight.ToArray<float>();
        var state = source.StateDict();
        foreach (var key in new[] { "fc.bias", "steps", "norm.weight", "head.weight" })
            if (state.Remove(key, out var dropped)) dropped.Dispose();
        state["fc2.weight"] = Tensor.Zeros([2]);
        state["norm.weight"] = Tensor.Ones([7]);
        state["head.weight"] = Tensor.Ones([3, 9]);

        var ex = Assert.Throws<StateDictException>(() => target.LoadStateDict(state));
        Assert.Equal(["fc.bias", "steps"], ex.Missing);
        Assert.Equal(["fc2.weight"], ex.Unexpected);
        Assert.Equal(2, ex.Mismatched.Count);
        Assert.Contains(ex.Mismatched, m => m.StartsWith("norm.weight") && m.Contains("[8]") && m.Contains("[7]"));
        Assert.Contains(ex.Mismatched, m => m.StartsWith("head.weight") && m.Contains("[3, 8]") && m.Contains("[3, 9]"));
        foreach (var name in new[] { "fc.bias", "steps", "fc2.weight", "norm.weight", "head.weight" })
            Assert.Contains(name, ex.Message);
        Assert.Equal(before, target.Fc.Weight.ToArray<float>()); // nothing half-loaded
        foreach (var t in state.Values) t.Dispose();
    }

    [Fact]
    public void NonStrictLoadSkipsMissingAndUnexpectedButNotWrongShapes()
    {
        using var scope = DisposeScope.Begin();
        using var source = new TinyNet();
        using var target = new TinyNet();
        var state = new Dictionary<string, Tensor>
        {
            ["fc.weight"] = source.Fc.Weight.Detach(),
            ["unrelated"] = Tensor.Zeros([1]),
        };
        target.LoadStateDict(state, strict: false);
        Assert.Equal(source.Fc.Weight.ToArray<float>(), target.Fc.Weight.ToArray<float>());
        Assert.NotEqual(source.Fc.Bias!.ToArray<float>(), target.Fc.Bias!.ToArray<float>());

        state["fc.bias"] = Tensor.Zeros([3]);
        var ex = Assert.Throws<StateDictException>(() => target.LoadStateDict(state, strict: false));
        Assert.Single(ex.Mismatched);
    }

    [Fact]
    public void FreezeStopsGradientsOfThatModuleOnly()
    {
        using var scope = DisposeScope.Begin();
        using var net = new TinyNet();
        net.Fc.Freeze();
        Assert.Equal(3 * 8 + 8 + 8 + 1 + 0, net.ParameterCount(trainableOnly: true));
        net.Forward(Tensor.Randn([5, 4])).Square().Sum().Backward();
        Assert.Null(net.Fc.Weight.Grad);
        Assert.Null(net.Fc.Bias!.Grad);
        Assert.NotNull(net.Head.Weight.Grad);
        Assert.NotNull(net.Norm.Weight.Grad);
        Assert.NotNull(net.LogitScale.Grad);
        // ForWeightDecay sees only trainable parameters.
        var groups = ParamGroup.ForWeightDecay(net, 0.1);
        Assert.DoesNotContain(groups.SelectMany(g => g.Parameters), p => ReferenceEquals(p, net.Fc.Weight));

        net.Unfreeze();
        net.Forward(Tensor.Randn([5, 4])).Sum().Backward();
        Assert.NotNull(net.Fc.Weight.Grad);
    }

    [Fact]
    public void WeightDecayGroupsSkipGainsBiasesAndScales()
    {
        using var net = new TinyNet();
        var groups = ParamGroup.ForWeightDecay(net, 0.2);
        // Tensors compare by reference here: a parameter is identified by its handle object.
        var names = net.NamedParameters().ToDictionary(p => (object)p.Value, p => p.Key, ReferenceEqualityComparer.Instance);
        Assert.Equal(0.2, groups[0].WeightDecay);
        Assert.Equal(["fc.weight", "head.weight"], groups[0].Parameters.Select(p => names[p]));
        Assert.Equal(0, groups[1].WeightDecay);
        Assert.Equal(["logit_scale", "fc.bias", "norm.weight", "norm.bias"], groups[1].Parameters.Select(p => names[p]));
    }

    [Fact]
    public void ToDtypeKeepsHandlesSoAnExistingOptimizerStillWorks()
    {
        using var scope = DisposeScope.Begin();
        using var net = new TinyNet();
        var weight = net.Fc.Weight;
        using var opt = new AdamW(ParamGroup.ForWeightDecay(net, 0.1), learningRate: 0.05);

        net.To(Device.Cpu, ScalarType.Float64);
        Assert.Same(weight, net.NamedParameters().First(p => p.Key == "fc.weight").Value);
        Assert.All(net.Parameters(), p => Assert.Equal(ScalarType.Float64, p.DType));
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Equal(ScalarType.Int64, net.Steps.DType); // integer buffers keep their type
        Assert.Equal(ScalarType.Float64, net.Scratch.DType);

        var before = weight.ToArray<double>();
        net.Eval(); // no dropout, so the two losses below are comparable
        var x = Tensor.Randn([6, 4], dtype: ScalarType.Float64);
        var loss = net.Forward(x).Square().Mean();
        loss.Backward();
        opt.Step();
        Assert.NotEqual(before, weight.ToArray<double>());
        Assert.True(net.Forward(x).Square().Mean().Item() < loss.Item(), "a step on the converted model did not lower its loss");
    }

    [Fact]
    public void ToDtypeAfterOptimizerStepsCarriesTheMomentsAlong()
    {
        using var scope = DisposeScope.Begin();
        using var net = new TinyNet();
        net.Eval();
        var x = Tensor.Randn([6, 4]);
        var groups = ParamGroup.ForWeightDecay(net, 0.1);
        using var opt = new AdamW(groups, learningRate: 0.01);
        // A float64 twin, stepped alongside, is the reference for what the second step should do.
        var twin = net.Parameters().Select(p => p.Detach().To(ScalarType.Float64).RequiresGrad_()).ToArray();
        using var reference = new AdamW(
            groups.Select(g => new ParamGroup(g.Parameters.Select(p => twin[IndexOf(net, p)]), g.WeightDecay)), learningRate: 0.01);

        void StepBoth()
        {
            net.Forward(x.To(net.Fc.Weight.DType)).Square().Mean().Backward();
            foreach (var (p, t) in net.Parameters().Zip(twin)) t.Grad = p.Grad!.To(ScalarType.Float64);
            opt.Step();
            reference.Step();
            opt.ZeroGrad();
            reference.ZeroGrad();
        }

        StepBoth();
        net.To(Device.Cpu, ScalarType.Float64);
        StepBoth();
        foreach (var (p, t) in net.Parameters().Zip(twin))
        {
            Assert.Equal(ScalarType.Float64, p.DType);
            Assert.True(p.AllClose(t, rtol: 1e-5, atol: 1e-6), "the step after To(Float64) went astray");
        }
        var state = opt.StateDict();
        Assert.All(state.Where(kv => kv.Key != "step"), kv => Assert.Equal(ScalarType.Float64, kv.Value.DType));
        foreach (var t in state.Values) t.Dispose();
    }

    private static int IndexOf(Module m, Tensor p) => m.Parameters().Select((q, i) => (q, i)).First(e => ReferenceEquals(e.q, p)).i;

    [Fact]
    public void TrainAndEvalPropagateToEveryDescendant()
    {
        using var scope = DisposeScope.Begin();
        using var net = new TinyNet();
        Assert.All(net.NamedModules(), m => Assert.True(m.Value.Training));
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Value.Training));
        var x = Tensor.Randn([4, 8]);
        Assert.Equal(x.ToArray<float>(), net.Drop.Forward(x).ToArray<float>()); // dropout is the identity in eval
        net.Train();
        Assert.All(net.NamedModules(), m => Assert.True(m.Value.Training));
        Assert.Contains(0f, net.Drop.Forward(x).ToArray<float>());
    }

    [Fact]
    public void ZeroGradClearsEveryParameter()
    {
        using var scope = DisposeScope.Begin();
        using var net = new TinyNet();
        net.Forward(Tensor.Randn([2, 4])).Sum().Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void DuplicateOrDottedNamesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Duplicated());
        Assert.Throws<ArgumentException>(() => new Dotted());
    }

    // Only tensor-free members, so a constructor that throws half-way leaks no native handle.
    private sealed class Duplicated : Module
    {
        public Duplicated()
        {
            Register("block", new Identity());
            Register("block", new Identity());
        }
    }

    private sealed class Dotted : Module
    {
        public Dotted() => Register("a.b", new Identity());
    }
}
