using System.Text;

namespace MLNetClip.Data.Text;

/// <summary>
/// CLIP's caption clean-up before tokenisation, as open_clip applies it with <c>clean='lower'</c>:
/// decode HTML character references twice (captions scraped from the web are often escaped twice),
/// turn every run of white space into one space, trim, lower-case.
/// </summary>
/// <remarks>
/// The reference first runs <c>ftfy.fix_text</c> (mojibake repair). That step is not reproduced:
/// the reference fixtures treat it as the identity, and on well-formed UTF-8 captions it is one.
/// </remarks>
internal static class ClipTextCleaner
{
    public static string Clean(string text)
    {
        var unescaped = HtmlUnescape.Decode(HtmlUnescape.Decode(text));
        return PythonText.ToLower(CollapseWhiteSpace(unescaped));
    }

    /// <summary>Python's <c>" ".join(text.split())</c>: runs of white space become one space, none at either end.</summary>
    public static string CollapseWhiteSpace(string text)
    {
        if (!NeedsCollapse(text)) return text;
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (PythonText.IsSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace) sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    // Already clean when the only white space is single ' ' between other characters.
    private static bool NeedsCollapse(string text)
    {
        if (text.Length == 0) return false;
        if (PythonText.IsSpace(text[0]) || PythonText.IsSpace(text[^1])) return true;
        var previousWasSpace = false;
        foreach (var c in text)
        {
            var space = PythonText.IsSpace(c);
            if (space && (c != ' ' || previousWasSpace)) return true;
            previousWasSpace = space;
        }
        return false;
    }
}
