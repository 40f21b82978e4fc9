namespace MLNetClip.Evaluation.Probe;

/// <summary>Stopping rules and memory of <see cref="Lbfgs"/>; checked before the first step.</summary>
public sealed class LbfgsOptions
{
    /// <summary>Iterations (steps) at most. Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Correction pairs remembered. Default 10.</summary>
    public int History { get; init; } = 10;

    /// <summary>Converged when the largest gradient component is at most this. Default 1e-6.</summary>
    public double GradientTolerance { get; init; } = 1e-6;

    /// <summary>Step halvings tried before a line search gives up. Default 50.</summary>
    public int MaxLineSearchSteps { get; init; } = 50;

    internal void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1");
        if (History < 1) throw new ArgumentOutOfRangeException(nameof(History), History, "History must be at least 1");
        if (!(GradientTolerance > 0)) throw new ArgumentOutOfRangeException(nameof(GradientTolerance), GradientTolerance, "GradientTolerance must be positive");
        if (MaxLineSearchSteps < 1) throw new ArgumentOutOfRangeException(nameof(MaxLineSearchSteps), MaxLineSearchSteps, "MaxLineSearchSteps must be at least 1");
    }
}

/// <summary>How a minimisation ended.</summary>
/// <param name="Loss">The objective at the returned point.</param>
/// <param name="GradientMax">The largest absolute gradient component there.</param>
/// <param name="Iterations">Steps taken.</param>
/// <param name="Evaluations">Objective evaluations, line searches included.</param>
/// <param name="Converged">True when the gradient tolerance was met; false when the iteration cap was hit or no step decreased the objective.</param>
public sealed record LbfgsResult(double Loss, double GradientMax, int Iterations, int Evaluations, bool Converged);
