using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Pretraining.Ema;

/// <summary>
/// An exponential moving average of a CLIP model, used as a teacher: a deep copy of the student
/// (same options, same weights at creation), always in eval mode, frozen (its parameters never
/// require gradients, so an optimiser built over trainable parameters skips them), and moved
/// towards the student only by <see cref="Update"/>. Registered as a submodule, its weights are
/// part of its owner's state dict and so of every checkpoint. Parameter names: model.*.
/// </summary>
public sealed class EmaTeacher : Module
{
    private readonly Tensor[] _teacherParameters;
    private readonly Tensor[] _studentParameters;

    public EmaTeacher(Clip student, MomentumSchedule schedule)
    {
        Schedule = schedule;
        var reference = student.LogitScale;
        Model = Register("model", new Clip(student.Options));
        Model.To(reference.Device, reference.DType);
        var state = student.StateDict();
        try { Model.LoadStateDict(state); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        Model.Freeze();
        base.Train(false);

        var teacherNamed = Model.NamedParameters().ToList();
        var studentNamed = student.NamedParameters().ToList();
        if (!teacherNamed.Select(p => p.Key).SequenceEqual(studentNamed.Select(p => p.Key)))
            throw new InvalidOperationException("the teacher's parameters do not line up with the student's");
        _teacherParameters = teacherNamed.Select(p => p.Value).ToArray();
        _studentParameters = studentNamed.Select(p => p.Value).ToArray();
    }

    /// <summary>The averaged model. Run it under <see cref="GradMode.NoGrad"/>.</summary>
    public Clip Model { get; }

    public MomentumSchedule Schedule { get; }

    /// <summary>The momentum for the update after 0-based <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public double GetDecay(long step, long totalSteps) => Schedule.At(step, totalSteps);

    /// <summary>teacher ← decay·teacher + (1 − decay)·student, in place, outside autograd (a lerp per tensor).</summary>
    public void Update(double decay)
    {
        if (decay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "must be in [0, 1]");
        GradientUtils.EmaUpdate(_teacherParameters, _studentParameters, decay);
    }

    /// <summary>The teacher stays in eval mode whatever its owner is switched to.</summary>
    public override Module Train(bool training = true) => base.Train(false);
}
