using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Pretraining.Tests.Methods;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Pretraining.Tests.Distill;

public class TeacherFrozenTests
{
    [Theory]
    [InlineData(MaskDistillMethod.MethodName)]
    [InlineData(MilanMethod.MethodName)]
    [InlineData(MaskAlignMethod.MethodName)]
    [InlineData(VqkdMethod.MethodName)]
    public void TeacherGetsNoGradientAndStaysBitIdenticalWhileTheStudentLearns(string name)
    {
        var baseline = LiveTensors.Baseline();
        using (var scope = DisposeScope.Begin())
        {
            using var method = DistillMethods.Create(name, new DistillOptions { CodebookSize = 16 });
            var teacher = method.Teacher!;
            var before = Snapshot(teacher);
            var studentBefore = method.Model.Visual.PatchEmbed.Parameters().First().Clone();
            using var images = SyntheticPairs.Images(32);
            using var batch = DistillMethods.Batch(images.Narrow(0, 0, 8));
            using var generator = new Generator(1, TestDevice.Current);
            var context = new StepContext(generator, TestDevice.Current, 3);
            using var optimizer = new AdamW(ParamGroup.ForWeightDecay(method, 0.05), 1e-3);
            for (var step = 0; step < 3; step++)
            {
                using (var terms = method.Forward(batch, context)) terms.Total.Backward();
                Assert.All(teacher.Parameters(), p => Assert.Null(p.Grad));
                optimizer.Step();
                optimizer.ZeroGrad();
                method.AfterStep(context);
                context.Step++;
            }
            Assert.False(teacher.Training);
            var after = Snapshot(teacher);
            foreach (var (key, value) in after)
                Assert.True(value.AllClose(before[key], rtol: 0, atol: 0), $"teacher tensor {key} changed");
            Assert.False(method.Model.Visual.PatchEmbed.Parameters().First().AllClose(studentBefore, rtol: 0, atol: 0), "the student did not train");
            // The parts the student does not use stay frozen (exported as they were initialised).
            Assert.All(method.Model.Text.Parameters(), p => Assert.False(p.RequiresGrad));
        }
        Assert.Equal(baseline, LiveTensors.Baseline());
    }

    // Copies of every teacher tensor, owned by the caller's dispose scope.
    private static Dictionary<string, Tensor> Snapshot(ClipTeacher teacher)
    {
        var state = teacher.StateDict();
        var copies = state.ToDictionary(p => p.Key, p => p.Value.Clone());
        foreach (var t in state.Values) t.Dispose();
        return copies;
    }

    [Fact]
    public void MethodsWithoutTheirTeacherOrTokenizerFailNamingTheOption()
    {
        using var model = DistillMethods.Student();
        var options = new MLNetClip.Pretraining.Training.PretrainOptions { Method = MaskDistillMethod.MethodName, Steps = 1 };
        var e = Assert.Throws<ArgumentException>(() => PretrainingMethods.Create(MaskDistillMethod.MethodName, model, options));
        Assert.Contains("--teacher DIR", e.Message);
        var b = Assert.Throws<ArgumentException>(() => PretrainingMethods.Create(BeitV2Method.MethodName, model, options with { Method = "beitv2" }));
        Assert.Contains("--tokenizer DIR", b.Message);
    }
}
