using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>The transformer feed-forward: Linear → activation → Linear.</summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    public Mlp(long width, long hidden, Activation activation)
    {
        Fc1 = Register("fc1", new Linear(width, hidden));
        Act = Register("act", new ActivationLayer(activation));
        Fc2 = Register("fc2", new Linear(hidden, width));
    }

    public Linear Fc1 { get; }
    public ActivationLayer Act { get; }
    public Linear Fc2 { get; }

    public long Hidden => Fc1.Weight.Size(0);

    public override Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var h = Act.Forward(Fc1.Forward(x));                                            // [B, T, hidden]
        return Fc2.Forward(h).MoveToOuterScope();                                       // [B, T, D]
    }
}
