using System.Globalization;
using System.Text;

namespace MLNetClip.Data.Text;

/// <summary>
/// The two pieces of CPython's string semantics that CLIP's text clean-up depends on:
/// <c>str.isspace</c> and <c>str.lower</c>. .NET's own versions differ at the edges
/// (U+001C..U+001F are not white space for .NET; .NET lower-cases one UTF-16 unit or rune at a
/// time with simple mappings, while Python applies U+0130's full mapping and the Greek final-sigma
/// rule), and any difference changes token ids, so these follow Python exactly.
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> for one code point: .NET's white space plus the four
    /// information separators U+001C..U+001F, which Python counts because their bidi class is B or S.</summary>
    public static bool IsSpace(int codePoint) =>
        codePoint is >= 0x1C and <= 0x1F || (codePoint <= 0xFFFF && char.IsWhiteSpace((char)codePoint));

    /// <summary>Python's <c>str.lower()</c>.</summary>
    public static string ToLower(string text)
    {
        if (IsAsciiWithoutUpper(text)) return text;
        if (Ascii.IsValid(text)) return text.ToLowerInvariant();

        var sb = new StringBuilder(text.Length);
        Span<char> buffer = stackalloc char[2];
        for (var i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used);
            if (rune.Value == 0x130)
            {
                // The one unconditional multi-character lower-case mapping (SpecialCasing.txt).
                sb.Append('i').Append('\u0307');
            }
            else if (rune.Value == 0x3A3)
            {
                sb.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            }
            else
            {
                var written = Rune.ToLowerInvariant(rune).EncodeToUtf16(buffer);
                sb.Append(buffer[..written]);
            }
            i += used;
        }
        return sb.ToString();
    }

    private static bool IsAsciiWithoutUpper(string text)
    {
        foreach (var c in text)
        {
            if (c >= 0x80 || c is >= 'A' and <= 'Z') return false;
        }
        return true;
    }

    // Unicode's Final_Sigma condition: a cased letter (possibly followed by case-ignorable ones)
    // before the sigma, and no cased letter (after skipping case-ignorable ones) after it.
    private static bool IsFinalSigma(string text, int sigmaIndex)
    {
        var before = sigmaIndex;
        Rune previous = default;
        var foundBefore = false;
        while (before > 0)
        {
            Rune.DecodeLastFromUtf16(text.AsSpan(0, before), out previous, out var used);
            before -= used;
            if (!IsCaseIgnorable(previous)) { foundBefore = true; break; }
        }
        if (!foundBefore || !IsCased(previous)) return false;

        for (var after = sigmaIndex + 1; after < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(after), out var next, out var used);
            if (!IsCaseIgnorable(next)) return !IsCased(next);
            after += used;
        }
        return true;
    }

    // Cased = Lowercase or Uppercase or Lt. Characters with a case mapping cover nearly all of it;
    // the rest (checked against CPython over every code point) are ª, º and the squared and
    // negative-circled capital letters U+1F130..U+1F189, which have no mapping but count as cased.
    private static bool IsCased(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        return category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            || rune.Value is 0xAA or 0xBA or >= 0x1F130 and <= 0x1F149 or >= 0x1F150 and <= 0x1F169 or >= 0x1F170 and <= 0x1F189
            || Rune.ToLowerInvariant(rune) != rune || Rune.ToUpperInvariant(rune) != rune;
    }

    // Case_Ignorable = Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter / MidNumLet / Single_Quote.
    private static bool IsCaseIgnorable(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol)
            return true;
        return rune.Value is 0x27 or 0x2E or 0x3A or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019
            or 0x2024 or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
    }
}
