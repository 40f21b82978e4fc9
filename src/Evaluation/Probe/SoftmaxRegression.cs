using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Probe;

/// <summary>
/// Multinomial logistic regression fitted to convergence by full-batch <see cref="Lbfgs"/>.
///
/// Objective, for features X [N, D], labels y and weights W [C, D], bias b [C]:
/// mean over samples of the cross-entropy of softmax(X·Wᵀ + b), plus (λ/2)·‖W‖² (the bias is not
/// penalised). With λ &gt; 0 it is strictly convex in W, so the fitted weights do not depend on the
/// optimiser; the bias is fixed up to a common shift, which the start at zero pins to sum 0.
/// scikit-learn's <c>LogisticRegression(C=c)</c> minimises N times this objective with λ = 1/(c·N).
/// Computation is in float64 on the features' device.
/// </summary>
public sealed class SoftmaxRegression : IDisposable
{
    private SoftmaxRegression(Tensor weight, Tensor bias, LbfgsResult fit)
    {
        Weight = weight;
        Bias = bias;
        Fit = fit;
    }

    /// <summary>[C, D], float64.</summary>
    public Tensor Weight { get; }

    /// <summary>[C], float64.</summary>
    public Tensor Bias { get; }

    /// <summary>How the optimisation ended.</summary>
    public LbfgsResult Fit { get; }

    /// <summary>Fits the regression; <paramref name="labels"/> [N] int64 in [0, <paramref name="classes"/>).</summary>
    public static SoftmaxRegression Train(Tensor features, Tensor labels, int classes, double l2, LbfgsOptions? options = null)
    {
        if (features.Dim != 2 || labels.Dim != 1 || labels.Size(0) != features.Size(0))
            throw new ArgumentException($"features must be [N, D] and labels [N]; got [{string.Join(", ", features.Shape)}] and [{string.Join(", ", labels.Shape)}]");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "a classifier needs at least 2 classes");
        if (!(l2 >= 0)) throw new ArgumentOutOfRangeException(nameof(l2), l2, "the L2 strength must be 0 or more");
        long dims = features.Size(1);
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = features.To(features.Device, ScalarType.Float64);                              // [N, D]
        var y = labels.To(features.Device, ScalarType.Int64);                                  // [N]
        var oneHot = Tensor.Zeros([x.Size(0), classes], ScalarType.Float64, x.Device)
            .Scatter(1, y.Unsqueeze(1), Tensor.Ones([x.Size(0), 1], ScalarType.Float64, x.Device)); // [N, C]
        var parameters = Tensor.Zeros([classes * dims + classes], ScalarType.Float64, x.Device); // [C·D + C]
        var fit = Lbfgs.Minimize(p => Objective(p, x, oneHot, classes, l2), parameters, options);
        var weight = parameters.Narrow(0, 0, classes * dims).View(classes, dims).Clone();      // [C, D]
        var bias = parameters.Narrow(0, classes * dims, classes).Clone();                      // [C]
        return new SoftmaxRegression(weight.DetachFromScope(), bias.DetachFromScope(), fit);
    }

    /// <summary>Logits [N, C] (float64) for features [N, D].</summary>
    public Tensor Logits(Tensor features)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = features.To(Weight.Device, ScalarType.Float64);                                // [N, D]
        return (x.MatMul(Weight.MT) + Bias).MoveToOuterScope();                               // [N, C]
    }

    /// <summary>
    /// The objective and its gradient at flat parameters [C·D + C]:
    /// with P = softmax(X·Wᵀ + b) and Y one-hot, ∂/∂W = (P − Y)ᵀ·X / N + λW and ∂/∂b = Σ(P − Y) / N.
    /// </summary>
    internal static (double Loss, Tensor Gradient) Objective(Tensor parameters, Tensor x, Tensor oneHot, int classes, double l2)
    {
        using var scope = DisposeScope.Begin();
        long n = x.Size(0), dims = x.Size(1);
        var weight = parameters.Narrow(0, 0, classes * dims).View(classes, dims);             // [C, D]
        var bias = parameters.Narrow(0, classes * dims, classes);                              // [C]
        var logProbabilities = F.LogSoftmax(x.MatMul(weight.MT) + bias, 1);                    // [N, C]
        var loss = -(logProbabilities * oneHot).Sum().Item() / n + l2 / 2 * (weight * weight).Sum().Item();
        var residual = (logProbabilities.Exp() - oneHot) / n;                                  // [N, C]
        var weightGradient = residual.MT.MatMul(x).Add(weight, l2);                            // [C, D]
        var biasGradient = residual.Sum(0);                                                    // [C]
        var gradient = Tensor.Cat([weightGradient.Flatten(), biasGradient], 0);                // [C·D + C]
        return (loss, gradient.MoveToOuterScope());
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
