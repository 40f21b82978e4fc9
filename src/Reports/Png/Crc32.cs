namespace MLNetClip.Reports.Png;

/// <summary>
/// The CRC-32 every PNG chunk ends with (ISO-HDLC: reflected polynomial 0xEDB88320, initial and
/// final XOR 0xFFFFFFFF), table-driven one byte at a time.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues a running CRC; start with <c>Update(0, …)</c>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        var c = ~crc;
        foreach (var b in bytes) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
