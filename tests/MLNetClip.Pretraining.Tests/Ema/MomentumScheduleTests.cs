using MLNetClip.Pretraining.Ema;

namespace MLNetClip.Pretraining.Tests.Ema;

/// <summary>The EMA momentum schedule against its formulas, and the step-count rule for its defaults.</summary>
public class MomentumScheduleTests
{
    private const double Start = 0.99, End = 0.999;

    [Fact]
    public void Cosine_IsTheHalfCosineFromStartToEnd()
    {
        var s = new MomentumSchedule { Start = Start, End = End, Shape = MomentumShape.Cosine };
        Assert.Equal(Start, s.At(0, 101), 15);
        Assert.Equal((Start + End) / 2, s.At(50, 101), 15);
        // A quarter of the way: end − (end − start)·(1 + cos(π/4))/2.
        Assert.Equal(End - (End - Start) * (1 + Math.Sqrt(0.5)) / 2, s.At(25, 101), 15);
        Assert.Equal(End, s.At(100, 101), 15);
        Assert.Equal(End, s.At(500, 101), 15);                                          // past the plan: stays at the end
    }

    [Fact]
    public void Linear_AndConstant()
    {
        var linear = new MomentumSchedule { Start = Start, End = End, Shape = MomentumShape.Linear };
        Assert.Equal(Start, linear.At(0, 11), 15);
        Assert.Equal(Start + 0.3 * (End - Start), linear.At(3, 11), 15);
        Assert.Equal(End, linear.At(10, 11), 15);
        var constant = new MomentumSchedule { Start = Start, End = End, Shape = MomentumShape.Constant };
        Assert.All(new long[] { 0, 5, 10 }, step => Assert.Equal(Start, constant.At(step, 11)));
    }

    [Theory]
    // steps, start = 1 − 1/(0.01·T) capped at 0.999, end = 1 − 1/(0.1·T) capped at 0.9999
    [InlineData(77, 0.0, 1 - 1 / 7.7)]
    [InlineData(300, 1 - 1 / 3.0, 1 - 1 / 30.0)]
    [InlineData(3_000, 1 - 1 / 30.0, 1 - 1 / 300.0)]
    [InlineData(30_000, 1 - 1 / 300.0, 1 - 1 / 3_000.0)]
    [InlineData(100_000, 0.999, 0.9999)]
    [InlineData(500_000, 0.999, 0.9999)]
    public void Defaults_FollowThePlannedStepCount(long steps, double start, double end)
    {
        var s = new MomentumSchedule();
        Assert.Equal(start, s.StartFor(steps), 12);
        Assert.Equal(end, s.EndFor(steps), 12);
        Assert.Equal(start, s.At(0, steps), 12);
        Assert.Equal(end, s.At(steps - 1, steps), 12);
    }

    [Fact]
    public void GivenValues_OverrideTheDerivedOnes_OneAtATime()
    {
        var s = new MomentumSchedule { Start = 0.5 };
        Assert.Equal(0.5, s.StartFor(3_000));
        Assert.Equal(1 - 1 / 300.0, s.EndFor(3_000), 12);
    }

    [Fact]
    public void ShapeNames_Parse_AndABadOneIsNamed()
    {
        Assert.Equal(MomentumShape.Linear, MomentumSchedule.ParseShape("Linear", "MaskClip.EmaSchedule"));
        var e = Assert.Throws<ArgumentException>(() => MomentumSchedule.ParseShape("exponential", "MaskClip.EmaSchedule"));
        Assert.Contains("MaskClip.EmaSchedule", e.Message);
        Assert.Throws<ArgumentException>(() => MomentumSchedule.ParseShape("7", "MaskClip.EmaSchedule"));
    }
}
