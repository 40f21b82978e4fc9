using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Probe;

/// <summary>
/// Limited-memory BFGS for smooth objectives of one flat parameter vector, on tensors (any device,
/// float64 recommended). The search direction comes from the usual two-loop recursion over the last
/// <see cref="LbfgsOptions.History"/> steps, with the initial inverse Hessian scaled by sᵀy / yᵀy;
/// the step length from backtracking until the Armijo sufficient-decrease condition holds. Pairs
/// with sᵀy ≤ 0 (possible only off convex ground) are not stored, so the direction stays a descent
/// direction; if it ever is not, the memory is dropped and the step follows the negative gradient.
/// </summary>
public static class Lbfgs
{
    private const double Armijo = 1e-4;

    /// <summary>
    /// Minimises <paramref name="objective"/> from <paramref name="start"/> [P], updating it in place.
    /// The objective returns the loss and a new gradient tensor [P] (moved out of its own dispose
    /// scope), which this method disposes.
    /// </summary>
    public static LbfgsResult Minimize(Func<Tensor, (double Loss, Tensor Gradient)> objective, Tensor start, LbfgsOptions? options = null)
    {
        options ??= new LbfgsOptions();
        options.Validate();
        if (start.Dim != 1) throw new ArgumentException($"the parameters must be one flat vector; got [{string.Join(", ", start.Shape)}]");
        var memory = new List<(Tensor S, Tensor Y, double Rho)>();
        var evaluations = 1;
        var (loss, gradient) = objective(start);
        gradient.DetachFromScope();
        try
        {
            for (var iteration = 0; ; iteration++)
            {
                using var scope = DisposeScope.Begin();
                var largest = gradient.Abs().Max().Item();
                if (largest <= options.GradientTolerance) return new(loss, largest, iteration, evaluations, true);
                if (iteration == options.MaxIterations) return new(loss, largest, iteration, evaluations, false);

                var direction = Direction(gradient, memory);                                  // [P]
                var slope = Dot(gradient, direction);
                if (!(slope < 0))
                {
                    Clear(memory);
                    direction = -gradient;
                    slope = Dot(gradient, direction);
                }
                // Without curvature information the first step is kept short, as its scale is unknown.
                var step = memory.Count == 0 ? Math.Min(1, 1 / gradient.Abs().Sum().Item()) : 1.0;
                Tensor? next = null, nextGradient = null;
                double nextLoss = 0;
                for (var tries = 0; tries < options.MaxLineSearchSteps; tries++, step /= 2)
                {
                    next = start.Add(direction, step);
                    (nextLoss, nextGradient) = objective(next);
                    evaluations++;
                    if (nextLoss <= loss + Armijo * step * slope) break;
                    nextGradient.Dispose();
                    nextGradient = null;
                }
                if (nextGradient is null) return new(loss, largest, iteration, evaluations, false);

                var s = (next! - start).DetachFromScope();                                   // [P]
                var y = (nextGradient - gradient).DetachFromScope();                          // [P]
                var sy = Dot(s, y);
                if (sy > 1e-12 * Math.Sqrt(Dot(s, s) * Dot(y, y)))
                {
                    memory.Add((s, y, 1 / sy));
                    if (memory.Count > options.History) Evict(memory);
                }
                else
                {
                    s.Dispose();
                    y.Dispose();
                }
                start.Copy_(next!);
                gradient.Dispose();
                gradient = nextGradient.DetachFromScope();
                loss = nextLoss;
            }
        }
        finally
        {
            gradient.Dispose();
            Clear(memory);
        }
    }

    /// <summary>−H·g by the two-loop recursion (−g when nothing is remembered yet).</summary>
    private static Tensor Direction(Tensor gradient, List<(Tensor S, Tensor Y, double Rho)> memory)
    {
        var q = gradient.Clone();
        var alphas = new double[memory.Count];
        for (var i = memory.Count - 1; i >= 0; i--)
        {
            alphas[i] = memory[i].Rho * Dot(memory[i].S, q);
            q = q.Add(memory[i].Y, -alphas[i]);
        }
        if (memory.Count > 0)
        {
            var (s, y, _) = memory[^1];
            q = q * (Dot(s, y) / Dot(y, y));
        }
        for (var i = 0; i < memory.Count; i++)
        {
            var beta = memory[i].Rho * Dot(memory[i].Y, q);
            q = q.Add(memory[i].S, alphas[i] - beta);
        }
        return -q;
    }

    private static double Dot(Tensor a, Tensor b)
    {
        using var scope = DisposeScope.Begin();
        return (a * b).Sum().Item();
    }

    private static void Evict(List<(Tensor S, Tensor Y, double Rho)> memory)
    {
        memory[0].S.Dispose();
        memory[0].Y.Dispose();
        memory.RemoveAt(0);
    }

    private static void Clear(List<(Tensor S, Tensor Y, double Rho)> memory)
    {
        while (memory.Count > 0) Evict(memory);
    }
}
