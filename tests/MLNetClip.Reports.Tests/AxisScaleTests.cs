using MLNetClip.Reports.Charts;

namespace MLNetClip.Reports.Tests;

/// <summary>Axis ranges and tick labels against hand-worked cases.</summary>
public class AxisScaleTests
{
    [Theory]
    // low, high → min, max, step. Rough step = (high − low) / 5, rounded up to 1, 2 or 5 × 10^k.
    [InlineData(0.23, 4.7, 0, 5, 1)]                  // rough 0.894 → 1
    [InlineData(3.8395, 5.0278, 3.5, 5.5, 0.5)]        // rough 0.238 → 0.5; ends floored/ceiled to 0.5
    [InlineData(1.57e-6, 4.27e-4, 0, 5e-4, 1e-4)]      // a learning-rate decay: rough 8.5e-5 → 1e-4
    [InlineData(0, 30, 0, 30, 10)]                     // rough 6 → 10
    [InlineData(10, 30, 10, 30, 5)]                    // rough 4 → 5
    [InlineData(14.2261, 14.2314, 14.226, 14.232, 0.002)]  // a flat logit scale: rough 0.00106 → 0.002
    [InlineData(-0.162, 0.205, -0.2, 0.3, 0.1)]        // rough 0.0734 → 0.1, across zero
    [InlineData(464.4, 472.2, 464, 474, 2)]            // rough 1.56 → 2
    public void Nice_ranges_cover_the_data_with_round_steps(double low, double high, double min, double max, double step)
    {
        var scale = AxisScale.Nice(low, high);
        Assert.Equal(min, scale.Min, 12);
        Assert.Equal(max, scale.Max, 12);
        Assert.Equal(step, scale.Step, 12);
    }

    [Fact]
    public void A_single_value_is_widened()
    {
        var zero = AxisScale.Nice(0, 0);
        Assert.Equal((0, 1, 0.2), (zero.Min, zero.Max, Math.Round(zero.Step, 12)));
        // 4 ± 0.4 → [3.6, 4.4], rough 0.16 → 0.2, ends 3.6 and 4.4.
        var four = AxisScale.Nice(4, 4);
        Assert.Equal((3.6, 4.4, 0.2), (four.Min, four.Max, Math.Round(four.Step, 12)));
    }

    [Fact]
    public void Ticks_are_exact_round_numbers()
    {
        Assert.Equal([3.5, 4, 4.5, 5, 5.5], AxisScale.Nice(3.8395, 5.0278).Ticks);
        Assert.Equal([-0.2, -0.1, 0, 0.1, 0.2, 0.3], AxisScale.Nice(-0.162, 0.205).Ticks);
        Assert.Equal([0, 1e-4, 2e-4, 3e-4, 4e-4, 5e-4], AxisScale.Nice(1.57e-6, 4.27e-4).Ticks);
    }

    [Fact]
    public void Labels_carry_the_step_s_decimals_or_an_exponent()
    {
        var halves = AxisScale.Nice(3.8395, 5.0278);
        Assert.Equal(["3.5", "4.0", "4.5", "5.0", "5.5"], halves.Ticks.Select(halves.Label));
        var lr = AxisScale.Nice(1.57e-6, 4.27e-4);
        Assert.Equal(["0", "1e-4", "2e-4", "3e-4", "4e-4", "5e-4"], lr.Ticks.Select(lr.Label));
        var steps = AxisScale.Nice(0, 30000);
        Assert.Equal(["0", "10000", "20000", "30000"], steps.Ticks.Select(steps.Label));  // rough 6000 → 10000
    }

    [Fact]
    public void Fraction_places_values_along_the_axis()
    {
        var scale = new AxisScale(3.5, 5.5, 0.5);
        Assert.Equal(0, scale.Fraction(3.5), 12);
        Assert.Equal(0.25, scale.Fraction(4), 12);
        Assert.Equal(1, scale.Fraction(5.5), 12);
    }

    [Fact]
    public void Bad_ranges_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AxisScale.Nice(2, 1));
        Assert.Throws<ArgumentException>(() => AxisScale.Nice(double.NaN, 1));
    }
}
