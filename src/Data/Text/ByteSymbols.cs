namespace MLNetClip.Data.Text;

/// <summary>
/// The reversible byte → printable-character map of GPT-2-style byte-level BPE, which CLIP uses:
/// bytes that are already visible Latin-1 characters stand for themselves, the other 68 (controls,
/// space, DEL, NBSP, soft hyphen, ...) are moved to U+0100 and up, in byte order.
/// </summary>
internal static class ByteSymbols
{
    public const string EndOfWord = "</w>";

    /// <summary>The symbol standing for each byte value.</summary>
    public static readonly char[] ByByte = BuildByByte();

    /// <summary>The 256 symbols in CLIP's id order: the visible bytes first, then the moved ones.</summary>
    public static readonly string[] InVocabularyOrder = BuildVocabularyOrder();

    /// <summary>Byte value of a symbol, or -1 when the character is not one of the 256.</summary>
    public static int ToByte(char symbol)
    {
        if (symbol < 0x100) return IsVisible(symbol) ? symbol : -1;
        var index = symbol - 0x100;
        return index < MovedBytes.Length ? MovedBytes[index] : -1;
    }

    private static bool IsVisible(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static readonly byte[] MovedBytes = Enumerable.Range(0, 256).Where(b => !IsVisible(b)).Select(b => (byte)b).ToArray();

    private static char[] BuildByByte()
    {
        var map = new char[256];
        var moved = 0;
        for (var b = 0; b < 256; b++)
        {
            map[b] = IsVisible(b) ? (char)b : (char)(0x100 + moved++);
        }
        return map;
    }

    private static string[] BuildVocabularyOrder()
    {
        var visible = Enumerable.Range(0, 256).Where(IsVisible);
        var moved = Enumerable.Range(0, 256).Where(b => !IsVisible(b));
        return visible.Concat(moved).Select(b => ByByte[b].ToString()).ToArray();
    }
}
