using System.Globalization;

namespace MLNetClip.Data.Shards;

/// <summary>
/// Expands shell-style brace patterns the way WebDataset and open_clip name shard sets:
/// <c>shards-{000000..000127}.tar</c> (a numeric range; leading zeros fix the width),
/// <c>{train,val}-{0..3}.tar</c> (lists and several groups, expanded left to right),
/// nested groups, and several patterns joined by <c>::</c>. Anything else inside braces is
/// an error rather than a literal, so a typo never silently names one odd file.
/// </summary>
public static class BracePattern
{
    /// <summary>More names than this means a typo in a range, not a shard set.</summary>
    public const int MaxExpansion = 10_000_000;

    public static IReadOnlyList<string> Expand(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var result = new List<string>();
        foreach (var part in pattern.Split("::"))
        {
            if (part.Length == 0) throw Bad(pattern, "an empty pattern between '::' separators");
            ExpandInto(part, pattern, result);
        }
        return result;
    }

    private static void ExpandInto(string text, string pattern, List<string> result)
    {
        var open = text.IndexOf('{');
        if (open < 0)
        {
            if (text.Contains('}')) throw Bad(pattern, $"'}}' without a matching '{{' in '{text}'");
            Add(result, text, pattern);
            return;
        }
        var close = MatchingClose(text, open) ?? throw Bad(pattern, $"'{{' at position {open} of '{text}' is never closed");
        if (text[..open].Contains('}')) throw Bad(pattern, $"'}}' without a matching '{{' in '{text}'");
        var head = text[..open];
        var body = text[(open + 1)..close];
        var tail = text[(close + 1)..];
        foreach (var choice in Choices(body, pattern))
            ExpandInto(head + choice + tail, pattern, result);
    }

    private static IEnumerable<string> Choices(string body, string pattern)
    {
        var items = SplitTopLevel(body);
        if (items.Count > 1) return items;
        var dots = body.IndexOf("..", StringComparison.Ordinal);
        if (dots > 0 && !body.Contains('{')
            && long.TryParse(body[..dots], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var from)
            && long.TryParse(body[(dots + 2)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var to))
        {
            var count = Math.Abs(to - from) + 1;
            if (count > MaxExpansion) throw Bad(pattern, $"the range {{{body}}} has {count} values, more than {MaxExpansion}");
            var width = HasLeadingZero(body[..dots]) || HasLeadingZero(body[(dots + 2)..])
                ? Math.Max(body[..dots].TrimStart('-').Length, body[(dots + 2)..].TrimStart('-').Length) : 0;
            var step = to >= from ? 1 : -1;
            return Enumerable.Range(0, (int)count).Select(i => Format(from + i * step, width));
        }
        throw Bad(pattern, $"'{{{body}}}' is neither a list like {{a,b}} nor an integer range like {{000..127}}");
    }

    private static string Format(long value, int width) =>
        value < 0 ? "-" + (-value).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')
                  : value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');

    private static bool HasLeadingZero(string number)
    {
        var digits = number.TrimStart('-');
        return digits.Length > 1 && digits[0] == '0';
    }

    private static int? MatchingClose(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return i;
        }
        return null;
    }

    /// <summary>Splits on commas that are not inside a nested group.</summary>
    private static List<string> SplitTopLevel(string body)
    {
        var items = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '{') depth++;
            else if (body[i] == '}') depth--;
            else if (body[i] == ',' && depth == 0)
            {
                items.Add(body[start..i]);
                start = i + 1;
            }
        }
        items.Add(body[start..]);
        return items;
    }

    private static void Add(List<string> result, string name, string pattern)
    {
        if (result.Count >= MaxExpansion) throw Bad(pattern, $"the pattern expands to more than {MaxExpansion} names");
        result.Add(name);
    }

    private static ArgumentException Bad(string pattern, string why) =>
        new($"shard pattern '{pattern}': {why}", nameof(pattern));
}
