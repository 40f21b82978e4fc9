namespace MLNetClip.Data.Loading;

/// <summary>
/// The loader stopped because too many samples were unusable: more than
/// <see cref="ImageTextLoaderOptions.MaxSkipRate"/> of those tried. The message lists the counts
/// and the first reasons (file or shard member and what was wrong), so the bad data can be found.
/// </summary>
public sealed class SkipRateExceededException : Exception
{
    public SkipRateExceededException(string source, long tried, long skipped, double maxRate, IReadOnlyList<string> reasons)
        : base(Describe(source, tried, skipped, maxRate, reasons))
    {
        Tried = tried;
        Skipped = skipped;
        MaxSkipRate = maxRate;
        Reasons = reasons;
    }

    /// <summary>Samples tried when the run stopped.</summary>
    public long Tried { get; }

    /// <summary>Of those, the samples skipped.</summary>
    public long Skipped { get; }

    /// <summary>The threshold that was exceeded.</summary>
    public double MaxSkipRate { get; }

    /// <summary>The first skip reasons, in the order they were met.</summary>
    public IReadOnlyList<string> Reasons { get; }

    private static string Describe(string source, long tried, long skipped, double maxRate, IReadOnlyList<string> reasons)
    {
        var lines = new List<string>
        {
            $"{source}: {skipped} of {tried} samples ({(double)skipped / Math.Max(1, tried):P1}) were skipped, " +
            $"more than the allowed {maxRate:P1} (ImageTextLoaderOptions.MaxSkipRate); the run was stopped.",
        };
        if (reasons.Count > 0)
        {
            lines.Add(skipped > reasons.Count ? $"The first {reasons.Count} reasons:" : "Reasons:");
            lines.AddRange(reasons.Select(r => "  " + r));
        }
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>A sample the loader must skip for a reason other than its image file (its caption, say).</summary>
internal sealed class SampleSkippedException(string reason) : Exception(reason);
