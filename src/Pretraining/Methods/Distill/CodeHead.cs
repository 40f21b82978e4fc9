using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// VQ-KD's task layer between the tokenizer's encoder and its codebook: Linear → tanh → Linear,
/// from the encoder width down to the codebook width. Parameter names: fc1, fc2.
/// </summary>
public sealed class CodeHead : Module<Tensor, Tensor>
{
    public CodeHead(long width, long codeDim)
    {
        Fc1 = Register("fc1", new Linear(width, width));
        Fc2 = Register("fc2", new Linear(width, codeDim));
    }

    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    /// <summary>tokens [..., width] → [..., codeDim].</summary>
    public override Tensor Forward(Tensor tokens)
    {
        using var scope = DisposeScope.Begin();
        return Fc2.Forward(Fc1.Forward(tokens).Tanh()).MoveToOuterScope();
    }
}
