namespace MLNetClip.Models;

/// <summary>
/// A checkpoint whose tensors do not fit the model. Lists every missing, unexpected and
/// wrong-shaped tensor at once, under the checkpoint's own names, so one run shows the whole problem.
/// </summary>
public sealed class CheckpointMismatchException : Exception
{
    public CheckpointMismatchException(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        : base(Describe(source, missing, unexpected, mismatched))
    {
        Origin = source;
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    /// <summary>The file (or description) the tensors came from.</summary>
    public string Origin { get; }

    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>"name: expected [..], got [..]" for each wrong-shaped tensor.</summary>
    public IReadOnlyList<string> Mismatched { get; }

    private static string Describe(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"missing ({missing.Count}): {string.Join(", ", missing)}");
        if (unexpected.Count > 0) parts.Add($"unexpected ({unexpected.Count}): {string.Join(", ", unexpected)}");
        if (mismatched.Count > 0) parts.Add($"wrong shape ({mismatched.Count}): {string.Join("; ", mismatched)}");
        return $"{source}: the checkpoint does not fit the model: {string.Join(" | ", parts)}";
    }
}
