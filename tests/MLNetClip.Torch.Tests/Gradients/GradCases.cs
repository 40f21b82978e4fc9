namespace MLNetClip.Torch.Tests.Gradients;

/// <summary>
/// Every differentiable op of the C# API, by name, as gradient-check cases. Each family
/// lives in its own partial file; names are unique so a failing theory row names its op.
/// </summary>
public static partial class GradCases
{
    private static readonly Lazy<Dictionary<string, GradCase>> ByName = new(() =>
        Elementwise().Concat(Linear()).Concat(Indexing()).Concat(Shapes()).Concat(Reductions()).Concat(Losses())
            .ToDictionary(c => c.Name));

    public static IReadOnlyDictionary<string, GradCase> All => ByName.Value;

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in All.Keys.Order(StringComparer.Ordinal)) data.Add(name);
            return data;
        }
    }

    private static GradInput In(params long[] shape) => new(shape);

    private static GradInput Pos(params long[] shape) => new(shape, Domain.Positive);

    private static GradCase Case(string name, Func<Tensor[], Tensor> fn, params GradInput[] inputs) => new(name, fn, inputs);

    private static Tensor Long(long[] values, params long[] shape) => Tensor.FromArray(values, shape);

    private static Tensor Bool(bool[] values, params long[] shape) => Tensor.FromArray(values, shape);

    private static Tensor Doubles(double[] values, params long[] shape) => Tensor.FromArray(values, shape);
}
