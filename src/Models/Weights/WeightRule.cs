using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// One of our parameters filled from one checkpoint tensor: its name there, the shape it must
/// have there, and how it becomes ours (a slice, a transpose), or null when it is copied as is.
/// </summary>
internal sealed record WeightRule(string Target, string Source, long[] SourceShape, Func<Tensor, Tensor>? Convert = null);

/// <summary>Applies a table of <see cref="WeightRule"/>s to a model, checking everything before copying anything.</summary>
internal static class WeightImporter
{
    /// <param name="model">Receives the weights.</param>
    /// <param name="source">The checkpoint's tensors by its names.</param>
    /// <param name="rules">One rule per model parameter.</param>
    /// <param name="ignorable">Checkpoint tensors that carry nothing the model needs (e.g. position_ids buffers).</param>
    /// <param name="origin">The file, for messages.</param>
    public static void Apply(Module model, IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<WeightRule> rules,
        Func<string, bool> ignorable, string origin)
    {
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var mismatched = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!source.TryGetValue(rule.Source, out var t)) { missing.Add(rule.Source); continue; }
            var have = t.Shape;
            if (!have.SequenceEqual(rule.SourceShape))
                mismatched[rule.Source] = $"{rule.Source}: expected {Format(rule.SourceShape)}, got {Format(have)}";
        }
        var used = rules.Select(r => r.Source).ToHashSet(StringComparer.Ordinal);
        var unexpected = source.Keys.Where(k => !used.Contains(k) && !ignorable(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0)
            throw new CheckpointMismatchException(origin, missing.ToList(), unexpected, mismatched.Values.ToList());

        using var scope = DisposeScope.Begin();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            var t = source[rule.Source];
            state[rule.Target] = rule.Convert is null ? t : rule.Convert(t);
        }
        // Strict: a parameter without a rule is a bug in the rule table, not in the checkpoint.
        model.LoadStateDict(state, strict: true);
    }

    public static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";
}
