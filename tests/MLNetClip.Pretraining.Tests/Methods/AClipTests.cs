using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Methods.AClip;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Methods;

/// <summary>
/// A-CLIP's parts against hand computations: the attention map carried into a view's box, SimCLR
/// with the other view's rows as positives (never a row itself), BYOL's 2 − 2·cos, the EMA's cosine
/// momentum; and the whole method's gradients (every trainable parameter, no EMA one) and tensor hygiene.
/// </summary>
public class AClipTests
{
    private static PretrainingMethod Create(string name, AClipOptions? options = null) =>
        PretrainingMethods.Create(name, TinyModels.Clip(), new PretrainOptions { Method = name, AClip = options ?? new AClipOptions() });

    [Fact]
    public void AttentionResampling_IntoTheTopLeftQuarter_MatchesAHandComputation()
    {
        using var scope = DisposeScope.Begin();
        // Cover scores on a 2×2 grid, cover = the whole image, view = its top-left quarter.
        var scores = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 4);
        float[] boxes = [0, 0, 0.5f, 0.5f, /* view 2, unused */ 0, 0, 1, 1, /* cover */ 0, 0, 1, 1];
        var resampled = AttentionResampling.ForView(scores, boxes, 0, 3, new PatchGrid(2, 2)).ToArray<float>();
        // View patch centres at 0.125 and 0.375 of the image = cover patch coordinates −0.25 (edge: 0) and 0.25:
        // (0,0) → 1; (0,1) → 0.75·1 + 0.25·2; (1,0) → 0.75·1 + 0.25·3; (1,1) → bilinear of all four.
        Close([1f, 1.25f, 1.5f, 0.5625f + 0.375f + 0.5625f + 0.25f], resampled);
    }

    [Fact]
    public void AttentionResampling_OfAViewEqualToTheCover_IsTheMapItself_AndAHalfViewStretchesIt()
    {
        using var scope = DisposeScope.Begin();
        var scores = Tensor.FromArray(Enumerable.Range(0, 9).Select(i => (float)i).ToArray(), 1, 9);
        // Cover = right half of the image; view 1 = that same half; view 2 = the cover's left half (x in [0.5, 0.75]).
        float[] boxes = [0.5f, 0, 1, 1, 0.5f, 0, 0.75f, 1, 0.5f, 0, 1, 1];
        var grid = new PatchGrid(3, 3);
        Close(scores.ToArray<float>(), AttentionResampling.ForView(scores, boxes, 0, 3, grid).ToArray<float>());
        // View 2's columns sit at cover x = (c + 0.5)/6 of the cover, cover patch coordinate 3·that − 0.5: −0.25, 0.25, 0.75.
        var row0 = AttentionResampling.ForView(scores, boxes, 1, 3, grid).ToArray<float>()[..3];
        Close([0f, 0.25f, 0.75f], row0);
    }

    [Fact]
    public void SimClr_IdenticalOrthogonalViews_MatchTheHandValue_WithNoRowItsOwnPositive()
    {
        using var scope = DisposeScope.Begin();
        var a = Tensor.FromArray(new float[] { 1, 0, 0, 1 }, 2, 2);                        // e1, e2
        // Each row: positive logit 10 (the other view's same row), negatives 0 (other row of b) and 0 (other
        // row of a); its own row of a (also 10) is left out. If it were not, the value would be log(2 + 2e⁻¹⁰).
        var expected = Math.Log(1 + 2 * Math.Exp(-10));
        Assert.Equal(expected, AClipLoss.SimClr(a, a.Clone(), 0.1).Item(), 6);
    }

    [Fact]
    public void SimClr_PositivesAreTheOtherViewsRows()
    {
        using var scope = DisposeScope.Begin();
        using var generator = new Generator(5);
        var a = Tensor.Randn([6, 4], generator);
        var b = a + 0.05 * Tensor.Randn([6, 4], generator);                                 // view 2 ≈ view 1, row by row
        var shuffled = b.IndexSelect(0, Tensor.FromArray(new long[] { 1, 2, 3, 4, 5, 0 }, 6));
        var matched = AClipLoss.SimClr(a, b, 0.1).Item();
        var mismatched = AClipLoss.SimClr(a, shuffled, 0.1).Item();
        Assert.True(matched < 0.5 && mismatched > matched + 3, $"matched rows {matched:F3}, shifted rows {mismatched:F3}");
        Assert.Equal(HandSimClr(a.ToArray<float>(), b.ToArray<float>(), 6, 4, 0.1), matched, 4);
    }

    [Fact]
    public void AClipLoss_GivesSimClrViewOneAgainstViewTwo_NotViewOneTwice()
    {
        using var scope = DisposeScope.Begin();
        using var generator = new Generator(6);
        var q = Tensor.Randn([8, 4], generator);                                             // 2B = 8: view 1 rows 0–3
        var image = F.Normalize(Tensor.Randn([8, 5], generator));
        var text = F.Normalize(Tensor.Randn([4, 5], generator));
        var p = Tensor.Randn([8, 3], generator);
        var z = Tensor.Randn([4, 3], generator);
        using var terms = new AClipLoss(new AClipOptions()).Forward(image, text, Tensor.Scalar(10), q, p, z);
        Assert.Equal(AClipLoss.SimClr(q.Narrow(0, 0, 4), q.Narrow(0, 4, 4), 0.1).Item(), terms[AClipLoss.SimClrLoss].Item(), 5);
        Assert.NotEqual(AClipLoss.SimClr(q.Narrow(0, 0, 4), q.Narrow(0, 0, 4), 0.1).Item(), terms[AClipLoss.SimClrLoss].Item(), 3);
        Assert.Equal(2 * AClipLoss.Byol(p, Tensor.Cat([z, z], 0)).Item(), terms[AClipLoss.ByolLoss].Item(), 5);
    }

    [Fact]
    public void Byol_IsTwoMinusTwiceTheCosine()
    {
        using var scope = DisposeScope.Begin();
        var p = Tensor.FromArray(new float[] { 1, 0, 0, 2 }, 2, 2);
        var z = Tensor.FromArray(new float[] { 1, 1, 0, -3 }, 2, 2);                         // cos √½ and −1
        Assert.Equal(((2 - Math.Sqrt(2)) + 4) / 2, AClipLoss.Byol(p, z).Item(), 5);
    }

    [Fact]
    public void EmaMomentum_FollowsTheCosineFrom0996To1_AtTheStartMiddleAndEnd()
    {
        var schedule = new AClipOptions().BuildMomentumSchedule();
        const long total = 101;
        Assert.Equal(0.996, schedule.At(0, total), 12);
        Assert.Equal(1 - 0.004 * (1 + Math.Cos(Math.PI * 0.5)) / 2, schedule.At(50, total), 12);   // 0.998
        Assert.Equal(1 - 0.004 * (1 + Math.Cos(Math.PI * 0.25)) / 2, schedule.At(25, total), 12);
        Assert.Equal(1.0, schedule.At(100, total), 12);
    }

    [Theory]
    [InlineData(AClipMethod.MethodName)]
    [InlineData(AClipEfficientMethod.MethodName)]
    public void EveryTrainableParameter_GetsAGradient_AndTheEmaNone(string name)
    {
        using var method = Create(name);
        using var generator = new Generator(3, TestDevice.Current);
        using (var batch = new PretrainBatch(TinyModels.Images(), TinyModels.Captions()))
        using (var terms = method.Forward(batch, new StepContext(generator, TestDevice.Current, totalSteps: 10)))
        {
            Assert.Equal([AClipLoss.View1ContrastiveLoss, AClipLoss.View2ContrastiveLoss, AClipLoss.SimClrLoss, AClipLoss.ByolLoss, AClipMethod.EmaMomentumTerm],
                terms.Terms.Select(t => t.Key));
            terms.Total.Backward();
        }
        var trainable = method.NamedParameters().Where(p => p.Value.RequiresGrad).ToList();
        foreach (var (key, p) in trainable)
        {
            Assert.True(p.Grad is not null, $"{key} got no gradient");
            using var scope = DisposeScope.Begin();
            Assert.True(p.Grad!.IsFinite().LogicalNot().Sum().Item() == 0, $"{key} has a non-finite gradient");
            Assert.True(p.Grad!.Abs().Sum().Item() > 0, $"{key} has an all-zero gradient");
        }
        var frozen = method.NamedParameters().Where(p => !p.Value.RequiresGrad).ToList();
        Assert.All(frozen, p => Assert.True(p.Key.StartsWith("teacher.") || p.Key.StartsWith("teacher_byol_projector."), p.Key));
        Assert.All(frozen, p => Assert.Null(p.Value.Grad));
        var aclip = (AClipMethod)method;
        Assert.Equal(method.Model.NamedParameters().Count() + aclip.ByolProjector.NamedParameters().Count(), frozen.Count);
        Assert.Contains(trainable, p => p.Key.StartsWith("model.text."));                   // the text tower learns too
    }

    [Fact]
    public void AfterStep_MovesTheEmaTowardsTheStudent_ByTheScheduledMomentum()
    {
        using var method = (AClipMethod)Create(AClipMethod.MethodName, new AClipOptions { EmaStart = 0.5, EmaEnd = 0.5 });
        using var scope = DisposeScope.Begin();
        var student = method.ByolProjector.Out.Weight;
        var teacher = method.TeacherByolProjector.Out.Weight;
        using (GradMode.NoGrad()) student.Add_(Tensor.OnesLike(student));                    // student = teacher + 1
        var before = teacher.Clone();
        var studentVision = method.Model.LogitScale;
        using (GradMode.NoGrad()) studentVision.Add_(2.0);
        using var generator = new Generator(1);
        method.AfterStep(new StepContext(generator, TestDevice.Current, totalSteps: 4));
        Assert.True((teacher - before - 0.5).Abs().Max().Item() < 1e-6, "the BYOL projector's EMA moves half way");
        Assert.Equal(method.Model.LogitScale.Item() - 1.0, method.Teacher.Model.LogitScale.Item(), 5);
    }

    [Fact]
    public void ViewsFromTheLoader_AreUsedWithTheirBoxes_AndAStepLeavesNoTensorBehind()
    {
        using var harness = new MethodHarness(Create(AClipMethod.MethodName), totalSteps: 10, learningRate: 1e-3);
        using var images = TinyModels.Images();
        var views = Tensor.Stack([images, images.Flip(3), images], 1);                     // [4, 3, 3, 16, 16]
        var boxes = Tensor.FromArray(Enumerable.Range(0, 4).SelectMany(_ => new float[] { 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1 }).ToArray(), 4, 3, 4);
        using var batch = new PretrainBatch(images.Clone(), TinyModels.Captions(), views, boxes);
        harness.Step(batch);
        var baseline = LiveTensors.Baseline();
        harness.Step(batch);
        harness.Step(batch);
        Assert.Equal(baseline, LiveTensors.Baseline());
        Assert.Equal(3, harness.Context.Step);
    }

    [Fact]
    public void Options_OutOfRange_NameTheOption()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AClipOptions { SimClrTemperature = 0 }.Validate());
        Assert.Contains("AClip.SimClrTemperature", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new AClipOptions { Masking = "attentiv" }.Validate());
        Assert.Contains("AClip.Masking", e.Message);
    }

    private static void Close(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    // SimCLR written out with plain doubles: for each row of a and of b, softmax over the other view's
    // rows and its own view's other rows, −log of the other view's same row.
    private static double HandSimClr(float[] a, float[] b, int n, int d, double tau)
    {
        double[][] Rows(float[] x) => Enumerable.Range(0, n).Select(i =>
        {
            var row = x.Skip(i * d).Take(d).Select(v => (double)v).ToArray();
            var norm = Math.Sqrt(row.Sum(v => v * v));
            return row.Select(v => v / norm).ToArray();
        }).ToArray();
        double Dot(double[] u, double[] v) => u.Zip(v, (p, q) => p * q).Sum();
        double Side(double[][] self, double[][] other)
        {
            var total = 0.0;
            for (var i = 0; i < n; i++)
            {
                var logits = Enumerable.Range(0, n).Select(j => Dot(self[i], other[j]) / tau)
                    .Concat(Enumerable.Range(0, n).Where(j => j != i).Select(j => Dot(self[i], self[j]) / tau)).ToArray();
                var max = logits.Max();
                total += -(logits[i] - max - Math.Log(logits.Sum(l => Math.Exp(l - max))));
            }
            return total / n;
        }
        var (ra, rb) = (Rows(a), Rows(b));
        return (Side(ra, rb) + Side(rb, ra)) / 2;
    }
}
