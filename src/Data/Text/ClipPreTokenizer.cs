using System.Globalization;
using System.Text;

namespace MLNetClip.Data.Text;

/// <summary>
/// Splits cleaned text into the words that BPE then encodes, with the semantics of CLIP's pattern
/// <c>&lt;|startoftext|&gt;|&lt;|endoftext|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>
/// (case-insensitive), taken one match at a time, alternatives tried in order, white space between
/// matches skipped.
/// </summary>
/// <remarks>
/// Written by hand rather than handed to <see cref="System.Text.RegularExpressions.Regex"/> (or the
/// tokenizer library's RegexPreTokenizer, which wraps it) because .NET regular expressions classify
/// UTF-16 code units: a letter or digit outside the Basic Multilingual Plane (mathematical letters,
/// CJK extension B, Osage, ...) is two surrogates there, which <c>\p{L}</c> does not match, so such
/// text would split differently from the reference, which classifies whole code points.
/// </remarks>
internal static class ClipPreTokenizer
{
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";

    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    /// <summary>The words of <paramref name="text"/> in order, as (start, length) pairs.</summary>
    public static WordEnumerator EnumerateWords(ReadOnlySpan<char> text) => new(text);

    /// <summary>Allocation-free <c>foreach</c> over the words of a text.</summary>
    public ref struct WordEnumerator
    {
        private readonly ReadOnlySpan<char> _text;
        private int _next;

        internal WordEnumerator(ReadOnlySpan<char> text)
        {
            _text = text;
            _next = 0;
            Current = default;
        }

        public (int Start, int Length) Current { get; private set; }

        public readonly WordEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_next < _text.Length)
            {
                var kind = Classify(_text, _next, out var width);
                if (kind == CharKind.Space)
                {
                    _next += width;
                    continue;
                }
                var length = MatchAt(_text, _next, kind, width);
                Current = (_next, length);
                _next += length;
                return true;
            }
            return false;
        }
    }

    private static int MatchAt(ReadOnlySpan<char> text, int start, CharKind kind, int width)
    {
        var rest = text[start..];
        if (rest[0] == '<')
        {
            if (StartsWithFolded(rest, StartOfText)) return StartOfText.Length;
            if (StartsWithFolded(rest, EndOfText)) return EndOfText.Length;
        }
        if (rest[0] == '\'')
        {
            foreach (var contraction in Contractions)
            {
                if (StartsWithFolded(rest, contraction)) return contraction.Length;
            }
        }

        // A digit is a word on its own; letters and "other" characters run as long as they last.
        if (kind == CharKind.Number) return width;
        var end = start + width;
        while (end < text.Length)
        {
            var next = Classify(text, end, out var nextWidth);
            if (next != kind) break;
            end += nextWidth;
        }
        return end - start;
    }

    // Case-insensitive the way the reference's regex engine is: by simple case folding, under which
    // 'S' and U+017F (long s) fold to 's' but U+0131 (dotless i) does not fold to 'i'.
    // (StringComparison.OrdinalIgnoreCase would also accept U+0131, so it is not used.)
    private static bool StartsWithFolded(ReadOnlySpan<char> text, string lowerLiteral)
    {
        if (text.Length < lowerLiteral.Length) return false;
        for (var k = 0; k < lowerLiteral.Length; k++)
        {
            var c = text[k];
            var p = lowerLiteral[k];
            if (c == p) continue;
            if (char.IsAsciiLetterUpper(c) && (char)(c | 0x20) == p) continue;
            if (c == '\u017F' && p == 's') continue;
            return false;
        }
        return true;
    }

    private enum CharKind { Space, Letter, Number, Other }

    private static CharKind Classify(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        if (c < 0x80)
        {
            width = 1;
            if (char.IsAsciiLetter(c)) return CharKind.Letter;
            if (char.IsAsciiDigit(c)) return CharKind.Number;
            return IsUnicodeWhiteSpace(c) ? CharKind.Space : CharKind.Other;
        }
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out width) != System.Buffers.OperationStatus.Done)
            return CharKind.Other; // a lone surrogate: UTF-8 encoding turns it into U+FFFD, a symbol
        // U+0345 (a combining mark) case-folds to the letter U+03B9, so under the reference's
        // case-insensitive matching it is in neither [\p{L}] nor [^\s\p{L}\p{N}]: no alternative
        // matches it and it is dropped like white space. It is the only such code point (checked
        // over all of Unicode).
        if (rune.Value == 0x345) return CharKind.Space;
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
                return CharKind.Letter;
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
                return CharKind.Number;
            default:
                return IsUnicodeWhiteSpace(rune.Value) ? CharKind.Space : CharKind.Other;
        }
    }

    // The pattern's \s is Unicode White_Space, which excludes U+001C..U+001F (unlike Python's
    // str.isspace); clean-up has already turned every white-space run into one ' ' anyway.
    private static bool IsUnicodeWhiteSpace(int codePoint) =>
        codePoint <= 0xFFFF && char.IsWhiteSpace((char)codePoint);
}
