using MLNetClip.Pretraining.Ema;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Pretraining.Tests.Ema;

/// <summary>The EMA teacher: a frozen, eval-mode deep copy that moves only by its lerp update.</summary>
public class EmaTeacherTests
{
    [Fact]
    public void StartsAsAnIndependentFrozenCopy_InEvalMode()
    {
        using var student = TinyModels.Clip();
        using var teacher = new EmaTeacher(student, new MomentumSchedule());
        var studentState = Snapshot(student.NamedParameters());
        Assert.Equal(studentState.Keys, Snapshot(teacher.Model.NamedParameters()).Keys);
        foreach (var (name, value) in Snapshot(teacher.Model.NamedParameters()))
            Assert.Equal(studentState[name], value);
        Assert.All(teacher.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.False(teacher.Model.Visual.Training);
        teacher.Train();
        Assert.False(teacher.Model.Text.Blocks.Training);

        // Its own storage: changing the student leaves it alone.
        using (GradMode.NoGrad()) student.LogitScale.Fill_(1.5);
        Assert.NotEqual(1.5, teacher.Model.LogitScale.Item(), 6);
    }

    [Fact]
    public void Update_IsTheHandComputedLerp()
    {
        using var student = TinyModels.Clip(seed: 1);
        using var teacher = new EmaTeacher(student, new MomentumSchedule());
        using (GradMode.NoGrad())
            foreach (var p in student.Parameters()) p.Add_(0.25);                         // move the student away
        var before = Snapshot(teacher.Model.NamedParameters());
        var target = Snapshot(student.NamedParameters());
        const double decay = 0.9;
        teacher.Update(decay);
        foreach (var (name, value) in Snapshot(teacher.Model.NamedParameters()))
            for (var i = 0; i < value.Length; i++)
            {
                var expected = decay * before[name][i] + (1 - decay) * target[name][i];
                Assert.True(Math.Abs(expected - value[i]) <= 1e-6, $"{name}[{i}]: {value[i]} vs {expected}");
            }
    }

    [Fact]
    public void NeverReceivesGradients_AndStaysBitIdenticalWithoutAnUpdate()
    {
        using var student = TinyModels.Clip(seed: 2);
        using var teacher = new EmaTeacher(student, new MomentumSchedule());
        var before = Snapshot(teacher.Model.NamedParameters());
        using var images = TinyModels.Images();
        using var ids = TinyModels.Captions();
        using var optimizer = new AdamW(ParamGroup.ForWeightDecay(student, 0.1), learningRate: 1e-2);
        for (var step = 0; step < 2; step++)
        {
            using var scope = DisposeScope.Begin();
            // The teacher's output enters the loss without no-grad on purpose: frozen, it still gets no gradient.
            var loss = (student.EncodeImage(images) * teacher.Model.EncodeImage(images)).Sum()
                + (student.EncodeText(ids) - teacher.Model.EncodeText(ids)).Square().Sum();
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }
        Assert.All(teacher.Parameters(), p => Assert.Null(p.Grad));
        foreach (var (name, value) in Snapshot(teacher.Model.NamedParameters()))
            Assert.Equal(before[name], value);
        Assert.NotEqual(before["visual.head.weight"], Snapshot(student.NamedParameters())["visual.head.weight"]);  // the student did move
    }

    [Fact]
    public void GetDecay_FollowsItsSchedule()
    {
        using var student = TinyModels.Clip();
        using var teacher = new EmaTeacher(student, new MomentumSchedule { Start = 0.9, End = 0.99, Shape = MomentumShape.Linear });
        Assert.Equal(0.9, teacher.GetDecay(0, 11), 12);
        Assert.Equal(0.945, teacher.GetDecay(5, 11), 12);
        Assert.Equal(0.99, teacher.GetDecay(10, 11), 12);
    }

    private static Dictionary<string, float[]> Snapshot(IEnumerable<KeyValuePair<string, Tensor>> parameters)
    {
        using var scope = DisposeScope.Begin();
        return parameters.ToDictionary(p => p.Key, p => p.Value.Detach().To(Device.Cpu).ToArray<float>());
    }
}
