using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.AClip;

/// <summary>
/// A-CLIP's heads on the image tower's pooled features: Linear → LayerNorm → ReLU per hidden layer,
/// then a last Linear. The paper's SimCLR and BYOL heads use BatchNorm; LayerNorm keeps every sample
/// independent of the rest of its (micro-)batch, so gradient accumulation stays exact.
/// Parameter names: layers.{i}.linear.*, layers.{i}.norm.*, out.*.
/// </summary>
public sealed class ProjectionMlp : Module<Tensor, Tensor>
{
    private readonly List<(Linear Linear, LayerNorm Norm)> _hidden = new();

    /// <param name="inWidth">Input features.</param>
    /// <param name="hidden">Width of every hidden layer.</param>
    /// <param name="outWidth">Output features.</param>
    /// <param name="layers">Linear layers in all, 2 or more (the last one has no norm or activation).</param>
    public ProjectionMlp(long inWidth, long hidden, long outWidth, int layers)
    {
        if (layers < 2) throw new ArgumentOutOfRangeException(nameof(layers), layers, "a projection MLP has at least 2 layers");
        var holder = Register("layers", new HiddenLayers());
        for (var i = 0; i < layers - 1; i++)
        {
            var block = holder.Add(i, new HiddenLayer(i == 0 ? inWidth : hidden, hidden));
            _hidden.Add((block.Linear, block.Norm));
        }
        Out = Register("out", new Linear(hidden, outWidth));
    }

    public Linear Out { get; }

    /// <summary>x [..., in] → [..., out].</summary>
    public override Tensor Forward(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        var h = x;
        foreach (var (linear, norm) in _hidden) h = norm.Forward(linear.Forward(h)).Relu();
        return Out.Forward(h).MoveToOuterScope();
    }

    private sealed class HiddenLayers : Module
    {
        public HiddenLayer Add(int index, HiddenLayer layer) => Register(index.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
    }

    private sealed class HiddenLayer : Module
    {
        public HiddenLayer(long inWidth, long outWidth)
        {
            Linear = Register("linear", new Linear(inWidth, outWidth));
            Norm = Register("norm", new LayerNorm(outWidth));
        }

        public Linear Linear { get; }
        public LayerNorm Norm { get; }
    }
}
