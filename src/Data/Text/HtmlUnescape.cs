using System.Globalization;
using System.Reflection;
using System.Text;

namespace MLNetClip.Data.Text;

/// <summary>
/// HTML character-reference decoding with the rules of the WHATWG HTML standard, which is what
/// Python's <c>html.unescape</c> implements and CLIP's clean-up applies (twice).
/// <see cref="System.Net.WebUtility.HtmlDecode(string)"/> is not used: it knows only the HTML 4
/// names, needs the closing semicolon, and maps numeric references in 0x80..0x9F and invalid code
/// points differently, each of which would change token ids on real web captions.
/// </summary>
internal static class HtmlUnescape
{
    private const int MaxNameLength = 32;

    // Numeric references the standard redirects: 0x00 and 0x80..0x9F (read as windows-1252).
    private static readonly Dictionary<int, string> RedirectedNumbers = new()
    {
        [0x00] = "\uFFFD", [0x0D] = "\r", [0x80] = "\u20AC", [0x81] = "\u0081", [0x82] = "\u201A",
        [0x83] = "\u0192", [0x84] = "\u201E", [0x85] = "\u2026", [0x86] = "\u2020", [0x87] = "\u2021",
        [0x88] = "\u02C6", [0x89] = "\u2030", [0x8A] = "\u0160", [0x8B] = "\u2039", [0x8C] = "\u0152",
        [0x8D] = "\u008D", [0x8E] = "\u017D", [0x8F] = "\u008F", [0x90] = "\u0090", [0x91] = "\u2018",
        [0x92] = "\u2019", [0x93] = "\u201C", [0x94] = "\u201D", [0x95] = "\u2022", [0x96] = "\u2013",
        [0x97] = "\u2014", [0x98] = "\u02DC", [0x99] = "\u2122", [0x9A] = "\u0161", [0x9B] = "\u203A",
        [0x9C] = "\u0153", [0x9D] = "\u009D", [0x9E] = "\u017E", [0x9F] = "\u0178",
    };

    private static readonly Lazy<Dictionary<string, string>> Entities = new(LoadEntities);

    /// <summary>Decodes every character reference in <paramref name="text"/>.</summary>
    public static string Decode(string text)
    {
        var amp = text.IndexOf('&');
        if (amp < 0) return text;

        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, amp);
        var i = amp;
        while (i < text.Length)
        {
            if (text[i] != '&')
            {
                var next = text.IndexOf('&', i);
                if (next < 0) next = text.Length;
                sb.Append(text, i, next - i);
                i = next;
                continue;
            }
            var consumed = text.Length > i + 1 && text[i + 1] == '#'
                ? DecodeNumeric(text, i, sb)
                : DecodeNamed(text, i, sb);
            if (consumed == 0)
            {
                sb.Append('&');
                consumed = 1;
            }
            i += consumed;
        }
        return sb.ToString();
    }

    // "&#123;" or "&#x7B;", the semicolon optional. Returns the characters consumed, 0 if none.
    private static int DecodeNumeric(string text, int start, StringBuilder sb)
    {
        var pos = start + 2;
        var hex = pos < text.Length && text[pos] is 'x' or 'X';
        if (hex) pos++;
        var digitsStart = pos;
        long value = 0;
        while (pos < text.Length && IsDigit(text[pos], hex))
        {
            // Anything past 0x10FFFF decodes to U+FFFD, so saturating keeps huge numbers correct.
            value = Math.Min(value * (hex ? 16 : 10) + HexValue(text[pos]), 0x110000);
            pos++;
        }
        if (pos == digitsStart) return 0;
        if (pos < text.Length && text[pos] == ';') pos++;

        sb.Append(NumericReplacement((int)value));
        return pos - start;
    }

    private static string NumericReplacement(int value)
    {
        if (RedirectedNumbers.TryGetValue(value, out var redirected)) return redirected;
        if (value is >= 0xD800 and <= 0xDFFF or > 0x10FFFF) return "\uFFFD";
        if (IsDroppedCodePoint(value)) return "";
        return char.ConvertFromUtf32(value);
    }

    // Control characters and non-characters that the standard treats as parse errors and Python drops.
    private static bool IsDroppedCodePoint(int value) =>
        value is >= 0x01 and <= 0x08 or 0x0B or >= 0x0E and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF
        || (value & 0xFFFE) == 0xFFFE;

    // "&name;" or a legacy "&name" without the semicolon: the whole name if it is known, else the
    // longest known prefix, the rest kept as text.
    private static int DecodeNamed(string text, int start, StringBuilder sb)
    {
        var pos = start + 1;
        while (pos < text.Length && pos - start - 1 < MaxNameLength && !IsNameTerminator(text[pos])) pos++;
        if (pos == start + 1) return 0;
        if (pos < text.Length && text[pos] == ';') pos++;

        var name = text.Substring(start + 1, pos - start - 1);
        var entities = Entities.Value;
        if (entities.TryGetValue(name, out var value))
        {
            sb.Append(value);
            return pos - start;
        }
        for (var length = name.Length - 1; length >= 2; length--)
        {
            if (entities.TryGetValue(name[..length], out value))
            {
                sb.Append(value).Append(name, length, name.Length - length);
                return pos - start;
            }
        }
        return 0;
    }

    private static bool IsNameTerminator(char c) => c is '\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';';

    private static bool IsDigit(char c, bool hex) => char.IsAsciiDigit(c) || (hex && char.IsAsciiHexDigit(c));

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    // Resource format: one reference per line, "<name>\t<code points in hex, space-separated>".
    // Names keep their semicolon; the legacy ones that may omit it appear a second time without.
    private static Dictionary<string, string> LoadEntities()
    {
        const string resource = "MLNetClip.Data.Resources.html5-entities.txt";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource '{resource}' is missing from {typeof(HtmlUnescape).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var tab = line.IndexOf('\t');
            if (tab <= 0) throw new InvalidDataException($"{resource} line {lineNumber}: expected '<name>\\t<hex code points>'");
            var sb = new StringBuilder(2);
            foreach (var hex in line[(tab + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                sb.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            map[line[..tab]] = sb.ToString();
        }
        return map;
    }
}
