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

    // Inputs are continuous random draws, so none sits within Eps of a kink (abs, relu,
    // clamp bounds, maximum ties) for the fixed seed the checker uses.
    private static IEnumerable<GradCase> Elementwise()
    {
        yield return Case("neg", x => x[0].Neg(), In(3, 4));
        yield return Case("neg_operator", x => -x[0], In(3, 4));
        yield return Case("exp", x => x[0].Exp(), In(3, 4));
        yield return Case("log", x => x[0].Log(), Pos(3, 4));
        yield return Case("sqrt", x => x[0].Sqrt(), Pos(3, 4));
        yield return Case("rsqrt", x => x[0].Rsqrt(), Pos(3, 4));
        yield return Case("abs", x => x[0].Abs(), In(3, 4));
        yield return Case("tanh", x => x[0].Tanh(), In(3, 4));
        yield return Case("sigmoid", x => x[0].Sigmoid(), In(3, 4));
        yield return Case("relu", x => x[0].Relu(), In(3, 4));
        yield return Case("sin", x => x[0].Sin(), In(3, 4));
        yield return Case("cos", x => x[0].Cos(), In(3, 4));
        yield return Case("square", x => x[0].Square(), In(3, 4));
        yield return Case("reciprocal", x => x[0].Reciprocal(), Pos(3, 4));
        yield return Case("erf", x => x[0].Erf(), In(3, 4));
        yield return Case("floor", x => x[0].Floor(), In(3, 4));
        yield return Case("sign", x => x[0].Sign(), In(3, 4));
        yield return Case("gelu", x => F.Gelu(x[0]), In(3, 4));
        yield return Case("gelu_tanh", x => F.GeluTanh(x[0]), In(3, 4));
        yield return Case("quick_gelu", x => F.QuickGelu(x[0]), In(3, 4));
        yield return Case("silu", x => F.Silu(x[0]), In(3, 4));
        yield return Case("dropout_eval", x => F.Dropout(x[0], 0.5, training: false), In(3, 4));

        yield return Case("add", x => x[0] + x[1], In(3, 4), In(3, 4));
        yield return Case("add_broadcast", x => x[0] + x[1], In(3, 4), In(4));
        yield return Case("add_scaled", x => x[0].Add(x[1], alpha: -2.5), In(3, 4), In(3, 4));
        yield return Case("add_scalar", x => x[0] + 1.5, In(3, 4));
        yield return Case("sub", x => x[0] - x[1], In(3, 4), In(3, 1));
        yield return Case("sub_scalar_left", x => 2.0 - x[0], In(3, 4));
        yield return Case("mul", x => x[0] * x[1], In(3, 4), In(3, 4));
        yield return Case("mul_broadcast", x => x[0].Mul(x[1]), In(2, 1, 4), In(3, 1));
        yield return Case("mul_scalar", x => 3.0 * x[0], In(3, 4));
        yield return Case("div", x => x[0] / x[1], In(3, 4), Pos(3, 4));
        yield return Case("div_scalar_left", x => 2.0 / x[0], Pos(3, 4));
        yield return Case("pow_tensor", x => x[0].Pow(x[1]), Pos(3, 4), In(3, 4));
        yield return Case("pow_scalar", x => x[0].Pow(3), In(3, 4));
        yield return Case("pow_fractional", x => x[0].Pow(0.5), Pos(3, 4));
        yield return Case("maximum", x => x[0].Maximum(x[1]), In(3, 4), In(3, 4));
        yield return Case("minimum", x => x[0].Minimum(x[1]), In(3, 4), In(4));
        yield return Case("atan2", x => x[0].Atan2(x[1]), In(3, 4), In(3, 4));
        yield return Case("remainder", x => x[0].Remainder(0.7), In(3, 4));
        yield return Case("where", x => Tensor.Where(Bool([true, false, false, true, true, false, true, false, false, true, false, true], 3, 4), x[0], x[1]), In(3, 4), In(3, 4));
        yield return Case("where_broadcast", x => Tensor.Where(Bool([true, false, true, false], 4), x[0], x[1]), In(3, 4), In(1));
        yield return Case("clamp", x => x[0].Clamp(-0.5, 0.5), In(4, 5));
        yield return Case("clamp_min", x => x[0].ClampMin(0.2), In(4, 5));
        yield return Case("clamp_max", x => x[0].ClampMax(-0.1), In(4, 5));
        yield return Case("lerp", x => x[0].Lerp(x[1], 0.3), In(3, 4), In(3, 4));
        yield return Case("masked_fill", x => x[0].MaskedFill(Bool([true, false, false, true], 4), -7), In(3, 4));
    }
}
