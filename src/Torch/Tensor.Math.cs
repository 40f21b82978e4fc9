using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch;

// Codes mirror mlc_unary_op / mlc_binary_op in src/Native/include/mlc_ops.h.
internal enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Rsqrt, Abs, Tanh, Sigmoid, Relu, Gelu, GeluTanh, QuickGelu, Sin, Cos, LogicalNot,
    Square, Reciprocal, Erf, Floor, IsNan, IsFinite, Sign, Silu,
}

internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder, Atan2,
}

public sealed unsafe partial class Tensor
{
    internal Tensor Unary(UnaryOp op) => Wrap(N.mlc_unary((int)op, Handle), this);

    internal Tensor Unary_(UnaryOp op)
    {
        Check(N.mlc_unary_((int)op, Handle), this);
        return this;
    }

    internal Tensor Binary(BinaryOp op, Tensor other) => Wrap(N.mlc_binary((int)op, Handle, other.Handle), this, other);

    internal Tensor Binary(BinaryOp op, double other) => Wrap(N.mlc_binary_scalar((int)op, Handle, other), this);

    internal static Tensor Binary(BinaryOp op, double a, Tensor b) => Wrap(N.mlc_rbinary_scalar((int)op, a, b.Handle), b);

    internal Tensor Binary_(BinaryOp op, Tensor other)
    {
        Check(N.mlc_binary_((int)op, Handle, other.Handle), this, other);
        return this;
    }

    internal Tensor Binary_(BinaryOp op, double other)
    {
        Check(N.mlc_binary_scalar_((int)op, Handle, other), this);
        return this;
    }

    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(BinaryOp.Add, b);
    public static Tensor operator +(Tensor a, double b) => a.Binary(BinaryOp.Add, b);
    public static Tensor operator +(double a, Tensor b) => b.Binary(BinaryOp.Add, a);
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(BinaryOp.Sub, b);
    public static Tensor operator -(Tensor a, double b) => a.Binary(BinaryOp.Sub, b);
    public static Tensor operator -(double a, Tensor b) => Binary(BinaryOp.Sub, a, b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(BinaryOp.Mul, b);
    public static Tensor operator *(Tensor a, double b) => a.Binary(BinaryOp.Mul, b);
    public static Tensor operator *(double a, Tensor b) => b.Binary(BinaryOp.Mul, a);
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(BinaryOp.Div, b);
    public static Tensor operator /(Tensor a, double b) => a.Binary(BinaryOp.Div, b);
    public static Tensor operator /(double a, Tensor b) => Binary(BinaryOp.Div, a, b);
    public static Tensor operator -(Tensor a) => a.Unary(UnaryOp.Neg);

    public Tensor Add(Tensor other, double alpha = 1) => Wrap(N.mlc_add_scaled(Handle, other.Handle, alpha), this, other);
    public Tensor Sub(Tensor other) => Binary(BinaryOp.Sub, other);
    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, other);
    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, other);
    public Tensor Pow(double exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
    public Tensor Remainder(double other) => Binary(BinaryOp.Remainder, other);
    public Tensor Atan2(Tensor other) => Binary(BinaryOp.Atan2, other);

    public Tensor Eq(Tensor other) => Binary(BinaryOp.Eq, other);
    public Tensor Eq(double other) => Binary(BinaryOp.Eq, other);
    public Tensor Ne(Tensor other) => Binary(BinaryOp.Ne, other);
    public Tensor Ne(double other) => Binary(BinaryOp.Ne, other);
    public Tensor Lt(Tensor other) => Binary(BinaryOp.Lt, other);
    public Tensor Lt(double other) => Binary(BinaryOp.Lt, other);
    public Tensor Le(Tensor other) => Binary(BinaryOp.Le, other);
    public Tensor Le(double other) => Binary(BinaryOp.Le, other);
    public Tensor Gt(Tensor other) => Binary(BinaryOp.Gt, other);
    public Tensor Gt(double other) => Binary(BinaryOp.Gt, other);
    public Tensor Ge(Tensor other) => Binary(BinaryOp.Ge, other);
    public Tensor Ge(double other) => Binary(BinaryOp.Ge, other);
    public Tensor LogicalAnd(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
    public Tensor LogicalOr(Tensor other) => Binary(BinaryOp.LogicalOr, other);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);

    public Tensor Neg() => Unary(UnaryOp.Neg);
    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor Relu() => Unary(UnaryOp.Relu);
    public Tensor Sin() => Unary(UnaryOp.Sin);
    public Tensor Cos() => Unary(UnaryOp.Cos);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor Erf() => Unary(UnaryOp.Erf);
    public Tensor Floor() => Unary(UnaryOp.Floor);
    public Tensor IsNan() => Unary(UnaryOp.IsNan);
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);
    public Tensor Sign() => Unary(UnaryOp.Sign);

    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(N.mlc_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0), this);

    public Tensor ClampMin(double min) => Clamp(min, null);
    public Tensor ClampMax(double max) => Clamp(null, max);

    public static Tensor Where(Tensor condition, Tensor a, Tensor b) =>
        Wrap(N.mlc_where(condition.Handle, a.Handle, b.Handle), condition, a, b);

    public Tensor MaskedFill(Tensor mask, double value) => Wrap(N.mlc_masked_fill(Handle, mask.Handle, value), this, mask);
    public Tensor MaskedSelect(Tensor mask) => Wrap(N.mlc_masked_select(Handle, mask.Handle), this, mask);
    public Tensor Lerp(Tensor end, double weight) => Wrap(N.mlc_lerp(Handle, end.Handle, weight), this, end);

    public Tensor MatMul(Tensor other) => Wrap(N.mlc_matmul(Handle, other.Handle), this, other);
    public Tensor Bmm(Tensor other) => Wrap(N.mlc_bmm(Handle, other.Handle), this, other);
    public Tensor Outer(Tensor other) => Wrap(N.mlc_outer(Handle, other.Handle), this, other);

    // ---- in place (trailing underscore, as in PyTorch) ----

    public Tensor Add_(Tensor other, double alpha = 1)
    {
        Check(N.mlc_add_scaled_(Handle, other.Handle, alpha), this, other);
        return this;
    }

    public Tensor Add_(double other) => Binary_(BinaryOp.Add, other);
    public Tensor Sub_(Tensor other) => Binary_(BinaryOp.Sub, other);
    public Tensor Mul_(Tensor other) => Binary_(BinaryOp.Mul, other);
    public Tensor Mul_(double other) => Binary_(BinaryOp.Mul, other);
    public Tensor Div_(Tensor other) => Binary_(BinaryOp.Div, other);
    public Tensor Div_(double other) => Binary_(BinaryOp.Div, other);
    public Tensor Exp_() => Unary_(UnaryOp.Exp);
    public Tensor Neg_() => Unary_(UnaryOp.Neg);
    public Tensor Sqrt_() => Unary_(UnaryOp.Sqrt);

    public Tensor Lerp_(Tensor end, double weight)
    {
        Check(N.mlc_lerp_(Handle, end.Handle, weight), this, end);
        return this;
    }

    public Tensor Copy_(Tensor source)
    {
        Check(N.mlc_copy_(Handle, source.Handle), this, source);
        return this;
    }

    public Tensor Fill_(double value)
    {
        Check(N.mlc_fill_(Handle, value), this);
        return this;
    }

    public Tensor Zero_()
    {
        Check(N.mlc_zero_(Handle), this);
        return this;
    }

    public Tensor Clamp_(double? min = null, double? max = null)
    {
        Check(N.mlc_clamp_(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0), this);
        return this;
    }

    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        var r = N.mlc_allclose(Handle, other.Handle, rtol, atol);
        GC.KeepAlive(this);
        GC.KeepAlive(other);
        return r >= 0 ? r == 1 : throw TorchException.FromNative();
    }
}
