namespace MLNetClip.Torch.Tests.Gradients;

public class GradientTests
{
    [Theory]
    [MemberData(nameof(GradCases.Names), MemberType = typeof(GradCases))]
    public void AutogradMatchesFiniteDifferences(string op) => GradCheck.AssertGradientsMatch(GradCases.All[op]);

    [Fact]
    public void CheckerReportsAGradientThatIgnoresPartOfTheFunction()
    {
        // d(x·x)/dx = 2x, but detaching one factor makes autograd report x.
        var wrong = new GradCase("x_times_detached_x", x => x[0] * x[0].Detach(), new GradInput([3, 4]));
        var mismatches = GradCheck.Run(wrong);
        Assert.Equal(12, mismatches.Count);
        Assert.All(mismatches, m => Assert.Equal(m.Numeric / 2, m.Analytic, 1e-6));
    }

    [Fact]
    public void CheckerReportsAnOutputCutOffFromItsInput()
    {
        var wrong = new GradCase("detached_scale", x => x[0].Detach() * 2, new GradInput([2, 3]));
        var mismatches = GradCheck.Run(wrong);
        Assert.Equal(6, mismatches.Count);
        Assert.All(mismatches, m => Assert.Equal(0, m.Analytic));
    }

    [Fact]
    public void CheckerReportsOnlyTheInputWhoseGradientIsWrong()
    {
        var wrong = new GradCase("a_plus_detached_b", x => x[0] * 3 + x[1].Detach().Square(), new GradInput([2, 2]), new GradInput([2, 2]));
        var mismatches = GradCheck.Run(wrong);
        Assert.Equal(4, mismatches.Count);
        Assert.All(mismatches, m => Assert.Equal(1, m.Input));
    }

    [Fact]
    public void AssertFailsWithTheOpNameInTheMessage()
    {
        var wrong = new GradCase("deliberately_wrong", x => x[0] * x[0].Detach(), new GradInput([2]));
        var ex = Assert.ThrowsAny<Exception>(() => GradCheck.AssertGradientsMatch(wrong));
        Assert.Contains("deliberately_wrong", ex.Message);
    }

    [Fact]
    public void EveryCaseHasADistinctNameAndAtLeastOneInput()
    {
        Assert.True(GradCases.All.Count > 100, $"only {GradCases.All.Count} cases");
        Assert.All(GradCases.All.Values, c => Assert.NotEmpty(c.Inputs));
    }
}
