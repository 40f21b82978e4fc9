using System.Diagnostics;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// Sums the steps' terms on the device between read-backs, so logging costs one synchronisation
/// every LogEvery steps instead of one per term per step.
/// </summary>
internal sealed class MetricsWindow : IDisposable
{
    private readonly Dictionary<string, Tensor> _sums = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _applied;
    private long _images;
    private double _gradNorms;
    private double _losses;

    public void Add(StepResult step)
    {
        _images += step.Images;
        if (!step.IsApplied) return;
        _applied++;
        _gradNorms += step.GradNorm;
        _losses += step.Loss;
        foreach (var (name, value) in step.Terms)
        {
            using var scope = DisposeScope.Begin();
            var sum = _sums.TryGetValue(name, out var previous) ? previous + value : value.Clone();
            previous?.Dispose();
            _sums[name] = sum.DetachFromScope();
        }
    }

    /// <summary>Reads the window's means back and starts a new window.</summary>
    public PretrainMetrics Read(TrainingState state, long totalSteps, double logitScale, Device device, double elapsedSeconds)
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var terms = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, sum) in _sums) terms[name] = sum.Item() / _applied;
        terms["loss"] = _applied > 0 ? _losses / _applied : double.NaN;
        var (peak, kind) = MemoryUsage.Peak(device);
        var metrics = new PretrainMetrics
        {
            Step = state.Step,
            TotalSteps = totalSteps,
            Epoch = state.Epoch,
            LearningRate = state.Optimizer.LearningRate,
            LogitScale = logitScale,
            GradNorm = _applied > 0 ? _gradNorms / _applied : double.NaN,
            Terms = terms,
            ImagesPerSecond = seconds > 0 ? _images / seconds : 0,
            PeakMemoryBytes = peak,
            MemoryKind = kind,
            SkippedSteps = state.SkippedSteps,
            ElapsedSeconds = elapsedSeconds,
        };
        Reset();
        return metrics;
    }

    private void Reset()
    {
        foreach (var t in _sums.Values) t.Dispose();
        _sums.Clear();
        _applied = 0;
        _images = 0;
        _gradNorms = 0;
        _losses = 0;
        _clock.Restart();
    }

    public void Dispose() => Reset();
}
