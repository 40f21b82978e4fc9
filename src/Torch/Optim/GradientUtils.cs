using N = MLNetClip.Torch.Native.NativeMethods;

namespace MLNetClip.Torch.Optim;

public static unsafe class GradientUtils
{
    /// <summary>Scales gradients so their joint 2-norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        if (maxNorm <= 0) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "must be > 0");
        var list = parameters as IReadOnlyList<Tensor> ?? parameters.ToList();
        var handles = list.Select(p => p.Handle).ToArray();
        double total;
        fixed (IntPtr* p = handles) TorchException.Check(N.mlc_clip_grad_norm(p, handles.Length, maxNorm, &total));
        GC.KeepAlive(list);
        return total;
    }

    /// <summary>teacher ← decay·teacher + (1−decay)·student for each pair, without autograd history.</summary>
    public static void EmaUpdate(IReadOnlyList<Tensor> teacher, IReadOnlyList<Tensor> student, double decay)
    {
        if (teacher.Count != student.Count)
            throw new ArgumentException($"teacher has {teacher.Count} tensors, student {student.Count}");
        var t = teacher.Select(x => x.Handle).ToArray();
        var s = student.Select(x => x.Handle).ToArray();
        fixed (IntPtr* pt = t)
        fixed (IntPtr* ps = s)
            TorchException.Check(N.mlc_ema_update(pt, ps, t.Length, decay));
        GC.KeepAlive(teacher);
        GC.KeepAlive(student);
    }
}

/// <summary>Linear warm-up to the base rate, then a half-cosine down to the floor (open_clip's cosine_lr).</summary>
public sealed class CosineSchedule
{
    public CosineSchedule(double baseLearningRate, long warmupSteps, long totalSteps, double minLearningRate = 0)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be > 0");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"must be in [0, {totalSteps}]");
        BaseLearningRate = baseLearningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
        MinLearningRate = minLearningRate;
    }

    public double BaseLearningRate { get; }
    public long WarmupSteps { get; }
    public long TotalSteps { get; }
    public double MinLearningRate { get; }

    /// <summary>The rate for 0-based <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return BaseLearningRate * (step + 1) / WarmupSteps;
        var decaySteps = TotalSteps - WarmupSteps;
        if (decaySteps <= 0) return BaseLearningRate;
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / decaySteps);
        return MinLearningRate + 0.5 * (1 + Math.Cos(Math.PI * progress)) * (BaseLearningRate - MinLearningRate);
    }
}
