using System.Globalization;

namespace MLNetClip.Reports.Charts;

/// <summary>
/// A linear axis running from <see cref="Min"/> to <see cref="Max"/> in steps of <see cref="Step"/>,
/// where the step is 1, 2 or 5 times a power of ten and both ends are multiples of it, so tick
/// labels are short round numbers and the data fits inside.
/// </summary>
public sealed record AxisScale(double Min, double Max, double Step)
{
    /// <summary>
    /// The smallest such axis covering [<paramref name="low"/>, <paramref name="high"/>] with about
    /// <paramref name="ticks"/> intervals: the step is the first of 1, 2, 5, 10 × 10^k at or above
    /// (high − low) / ticks. A single value is widened by 10% of its size (or to [0, 1] for zero).
    /// </summary>
    public static AxisScale Nice(double low, double high, int ticks = 5)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low > high)
            throw new ArgumentException($"an axis needs finite low ≤ high, got {low} and {high}");
        if (ticks < 1) throw new ArgumentOutOfRangeException(nameof(ticks), ticks, "at least 1 interval");
        if (low == high)
        {
            var pad = low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = low == 0 ? (0, 1) : (low - pad, high + pad);
        }
        var rough = (high - low) / ticks;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1.0, 2, 5, 10 }.Select(m => m * power).First(s => s >= rough * (1 - 1e-9));
        var min = Math.Floor(low / step + 1e-9) * step;
        var max = Math.Ceiling(high / step - 1e-9) * step;
        return new AxisScale(Clean(min, step), Clean(max, step), step);
    }

    /// <summary>Min, Min + Step, …, Max.</summary>
    public IReadOnlyList<double> Ticks
    {
        get
        {
            var count = (int)Math.Round((Max - Min) / Step);
            return Enumerable.Range(0, count + 1).Select(i => Clean(Min + i * Step, Step)).ToList();
        }
    }

    /// <summary>Where <paramref name="value"/> falls along the axis: 0 at Min, 1 at Max.</summary>
    public double Fraction(double value) => (value - Min) / (Max - Min);

    /// <summary>
    /// A tick label: as many decimals as the step needs between 10⁻³ and 10⁶, otherwise
    /// mantissa and exponent ("2e-4", "1.5e7").
    /// </summary>
    public string Label(double value)
    {
        if (value == 0) return "0";
        var magnitude = Math.Floor(Math.Log10(Step));
        if (magnitude is >= -3 and < 6)
        {
            var decimals = (int)Math.Max(0, -magnitude);
            // 2.5-style steps do not occur (1, 2, 5 only), so the step's own magnitude gives enough decimals.
            return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
        }
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var mantissa = Math.Round(value / Math.Pow(10, exponent), 3);
        return $"{mantissa.ToString("0.###", CultureInfo.InvariantCulture)}e{exponent}";
    }

    // Multiples of the step computed in floating point drift (0.1 · 3 = 0.30000000000000004, −0.1 + 0.1 · 1
    // may miss 0); twelve significant digits, and exactly 0 near 0, put them back on the round numbers.
    private static double Clean(double value, double step) =>
        Math.Abs(value) < step * 1e-9 ? 0 : double.Parse(value.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
