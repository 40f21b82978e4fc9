using MLNetClip.Torch.Nn;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Torch.Tests;

public class TrainingLoopLeakTests
{
    private sealed class Block : Module<Tensor, Tensor>
    {
        public Block()
        {
            Fc = Register("fc", new Linear(16, 16));
            Norm = Register("norm", new LayerNorm(16));
            Out = Register("out", new Linear(16, 4));
        }

        public Linear Fc { get; }
        public LayerNorm Norm { get; }
        public Linear Out { get; }

        public override Tensor Forward(Tensor x) => Out.Forward(F.Gelu(Norm.Forward(Fc.Forward(x))));
    }

    [Fact]
    public void TenThousandStepsKeepTheLiveTensorCountAtItsBaseline()
    {
        using var g = new Generator(5);
        using var model = new Block();
        using var opt = new AdamW(ParamGroup.ForWeightDecay(model, 0.01), learningRate: 1e-3);
        var x = Tensor.Randn([8, 16], g).DetachFromScope();
        var target = Tensor.Randn([8, 4], g).DetachFromScope();
        try
        {
            double Step()
            {
                using var scope = DisposeScope.Begin();
                var loss = F.Mse(model.Forward(x), target);
                loss.Backward();
                GradientUtils.ClipGradNorm(model.Parameters(), 1.0);
                opt.Step();
                opt.ZeroGrad();
                return loss.Item();
            }

            var first = Step(); // allocates the optimizer's moments
            var baseline = DisposeScopeTests.SettledLiveCount();
            var last = first;
            for (var i = 0; i < 10_000; i++)
            {
                last = Step();
                // Checked every step: a per-step leak shows here before a finalizer could hide it.
                if (Tensor.LiveCount != baseline)
                    Assert.Fail($"step {i}: {Tensor.LiveCount} live tensors, baseline {baseline}");
            }
            Assert.Equal(baseline, DisposeScopeTests.SettledLiveCount());
            Assert.True(last < first / 2, $"loss went from {first} to {last}: the loop did not train");
        }
        finally
        {
            x.Dispose();
            target.Dispose();
        }
    }
}
