using System.Text;

namespace MLNetClip.Data.Shards;

/// <summary>
/// The parts of the POSIX ustar and pax formats (and GNU's long-name extension) that both
/// <see cref="TarReader"/> and <see cref="TarWriter"/> need.
///
/// Format: an archive is a sequence of 512-byte blocks. Each member is one header block then
/// its data, zero-padded to a whole block; two zero blocks end the archive. Header fields
/// (offset, length): name 0,100; mode 100,8; uid 108,8; gid 116,8; size 124,12; mtime 136,12;
/// checksum 148,8; typeflag 156,1; linkname 157,100; magic 257,6; version 263,2; uname 265,32;
/// gname 297,32; devmajor 329,8; devminor 337,8; prefix 345,155. Numbers are octal ASCII,
/// or big-endian base-256 when the first byte has its high bit set (a GNU extension for large sizes).
/// The checksum is the byte sum of the header with the checksum field read as eight spaces.
/// </summary>
internal static class TarFormat
{
    public const int BlockSize = 512;
    public const int NameLength = 100;
    public const int SizeOffset = 124;
    public const int ChecksumOffset = 148;
    public const int TypeOffset = 156;
    public const int MagicOffset = 257;
    public const int PrefixOffset = 345;
    public const int PrefixLength = 155;

    public const byte TypeFile = (byte)'0';
    public const byte TypeFileOld = 0;
    public const byte TypeDirectory = (byte)'5';
    public const byte TypePaxNext = (byte)'x';
    public const byte TypePaxGlobal = (byte)'g';
    public const byte TypeGnuLongName = (byte)'L';
    public const byte TypeGnuLongLink = (byte)'K';

    public static long PaddedLength(long size) => (size + BlockSize - 1) / BlockSize * BlockSize;

    /// <summary>Both the unsigned sum (the standard) and the signed one (some old writers) of the header.</summary>
    public static (long Unsigned, long Signed) Checksums(ReadOnlySpan<byte> header)
    {
        long unsigned = 0, signed = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= ChecksumOffset and < ChecksumOffset + 8 ? (byte)' ' : header[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return (unsigned, signed);
    }

    /// <summary>The text of a NUL-terminated field (UTF-8, which is what every modern writer uses).</summary>
    public static string ReadString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>An octal or base-256 number; null when the field holds something else.</summary>
    public static long? ReadNumber(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            if ((field[0] & 0x40) != 0) return null; // negative base-256 values have no use here
            long value = field[0] & 0x3F;
            for (var i = 1; i < field.Length; i++)
            {
                if (value > (long.MaxValue >> 8)) return null;
                value = (value << 8) | field[i];
            }
            return value;
        }
        long result = 0;
        var digits = 0;
        var i2 = 0;
        while (i2 < field.Length && field[i2] == ' ') i2++;
        for (; i2 < field.Length; i2++)
        {
            var c = field[i2];
            if (c is 0 or (byte)' ') break;
            if (c is < (byte)'0' or > (byte)'7') return null;
            if (result > (long.MaxValue >> 3)) return null;
            result = result * 8 + (c - '0');
            digits++;
        }
        return digits == 0 ? 0 : result;
    }

    /// <summary>Writes <paramref name="value"/> as zero-padded octal filling all but the field's last byte, which is NUL.</summary>
    public static void WriteOctal(Span<byte> field, long value)
    {
        var digits = field.Length - 1;
        for (var i = digits - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }
        if (value != 0) throw new ArgumentOutOfRangeException(nameof(value), "the number does not fit its tar header field");
        field[digits] = 0;
    }

    /// <summary>
    /// Why a member name may not be used, or null when it is fine. Absolute names and ".."
    /// segments could escape an extraction folder (the "tar slip" attack), so they are refused
    /// even though this code never extracts: a shard carrying them is not trustworthy.
    /// </summary>
    public static string? UnsafeNameReason(string name)
    {
        if (name.Length == 0) return "the member has an empty name";
        if (name.Contains('\0')) return "the member name contains a NUL character";
        if (name[0] is '/' or '\\') return "the member name is an absolute path";
        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0])) return "the member name starts with a drive letter";
        foreach (var part in name.Split('/', '\\'))
            if (part == "..") return "the member name contains a '..' segment";
        return null;
    }
}
