using MLNetClip.Torch.Nn;

namespace MLNetClip.Torch.Tests.Nn;

/// <summary>A small model with every kind of member: own parameter, submodules, persistent and non-persistent buffers.</summary>
internal sealed class TinyNet : Module<Tensor, Tensor>
{
    public TinyNet(long hidden = 8)
    {
        LogitScale = RegisterParameter("logit_scale", Tensor.Full([], 2.0));
        Fc = Register("fc", new Linear(4, hidden));
        Norm = Register("norm", new LayerNorm(hidden));
        Drop = Register("drop", new Dropout(0.5));
        Head = Register("head", new Linear(hidden, 3, bias: false));
        Steps = RegisterBuffer("steps", Tensor.Zeros([1], ScalarType.Int64));
        Scratch = RegisterBuffer("scratch", Tensor.Zeros([2]), persistent: false);
    }

    public Tensor LogitScale { get; }
    public Linear Fc { get; }
    public LayerNorm Norm { get; }
    public Dropout Drop { get; }
    public Linear Head { get; }
    public Tensor Steps { get; }
    public Tensor Scratch { get; }

    public override Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var h = Drop.Forward(F.Gelu(Norm.Forward(Fc.Forward(x))));
        return (Head.Forward(h) * LogitScale).MoveToOuterScope();
    }
}
