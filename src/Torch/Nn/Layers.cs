namespace MLNetClip.Torch.Nn;

/// <summary>y = x·Wᵀ + b. Initialised as PyTorch does: U(±1/√in) for weight and bias.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool bias = true)
    {
        var bound = 1.0 / Math.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", Tensor.Empty([outFeatures, inFeatures]).Uniform_(-bound, bound));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty([outFeatures]).Uniform_(-bound, bound)) : null;
    }

    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor x) => F.Linear(x, Weight, Bias);
}

/// <summary>Layer normalisation over the last dimension with learnable gain and bias.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly long[] _shape;
    private readonly double _eps;

    public LayerNorm(long dim, double eps = 1e-5)
    {
        _shape = [dim];
        _eps = eps;
        Weight = RegisterParameter("weight", Tensor.Ones([dim]));
        Bias = RegisterParameter("bias", Tensor.Zeros([dim]));
    }

    public Tensor Weight { get; }
    public Tensor Bias { get; }

    public override Tensor Forward(Tensor x) => F.LayerNorm(x, _shape, Weight, Bias, _eps);
}

/// <summary>A lookup table of learnable vectors, N(0, 1) initialised.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(long count, long dim) => Weight = RegisterParameter("weight", Tensor.Randn([count, dim]));

    public Tensor Weight { get; }

    public override Tensor Forward(Tensor indices) => F.Embedding(Weight, indices);
}

/// <summary>2-D convolution with a square kernel, initialised as PyTorch does.</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    private readonly int _stride;
    private readonly int _padding;

    public Conv2d(long inChannels, long outChannels, long kernel, int stride = 1, int padding = 0, bool bias = true)
    {
        _stride = stride;
        _padding = padding;
        var bound = 1.0 / Math.Sqrt(inChannels * kernel * kernel);
        Weight = RegisterParameter("weight", Tensor.Empty([outChannels, inChannels, kernel, kernel]).Uniform_(-bound, bound));
        Bias = bias ? RegisterParameter("bias", Tensor.Empty([outChannels]).Uniform_(-bound, bound)) : null;
    }

    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor x) => F.Conv2d(x, Weight, Bias, _stride, _padding);
}

/// <summary>Returns its input; stands in for a disabled layer so Forward needs no branches.</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    // A new handle, so callers may dispose the result independently of the input.
    public override Tensor Forward(Tensor x) => x.View(x.Shape);
}

/// <summary>Zeroes elements with probability p while training.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly double _p;

    public Dropout(double p) => _p = p;

    public override Tensor Forward(Tensor x) => F.Dropout(x, _p, Training);
}

/// <summary>Element-wise activations by name, so towers can choose gelu or quick_gelu from their options.</summary>
public enum Activation
{
    Gelu,
    GeluTanh,
    QuickGelu,
    Relu,
    Silu,
}

public sealed class ActivationLayer : Module<Tensor, Tensor>
{
    private readonly Activation _kind;

    public ActivationLayer(Activation kind) => _kind = kind;

    public override Tensor Forward(Tensor x) => _kind switch
    {
        Activation.Gelu => F.Gelu(x),
        Activation.GeluTanh => F.GeluTanh(x),
        Activation.QuickGelu => F.QuickGelu(x),
        Activation.Relu => x.Relu(),
        Activation.Silu => F.Silu(x),
        _ => throw new InvalidOperationException($"unknown activation {_kind}"),
    };
}
