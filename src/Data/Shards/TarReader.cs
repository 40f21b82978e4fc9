using System.Text;
using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.Shards;

/// <summary>
/// Reads a tar archive front to back from any stream (a file, a gzip stream, a socket), never
/// seeking and never writing to disk. It understands ustar, pax extended headers ('x', for long
/// names and large sizes) and GNU long names ('L'). Every member name is checked: an absolute
/// path or a ".." segment stops the read with an error naming the archive and the member.
/// A damaged header or an archive that ends inside a member is reported the same way, with
/// the byte offset; everything read before that point has already been handed out.
/// </summary>
public sealed class TarReader : IDisposable
{
    /// <summary>Members larger than this are refused when their data is requested, to keep a damaged size field from exhausting memory.</summary>
    public const long DefaultMaxMemberBytes = 1L << 30;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _block = new byte[TarFormat.BlockSize];
    private readonly long _maxMemberBytes;
    private long _position;
    private bool _ended;

    public TarReader(Stream stream, string archiveName, bool leaveOpen = false, long maxMemberBytes = DefaultMaxMemberBytes)
    {
        _stream = stream;
        ArchiveName = archiveName;
        _leaveOpen = leaveOpen;
        _maxMemberBytes = maxMemberBytes;
    }

    /// <summary>The archive's name as it appears in messages (usually its path).</summary>
    public string ArchiveName { get; }

    /// <summary>Opens a file, decompressing on the fly when its name ends in .gz or .tgz.</summary>
    public static TarReader OpenFile(string path)
    {
        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
            stream = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress);
        return new TarReader(stream, path);
    }

    /// <summary>
    /// Every member in order. Regular files carry their bytes when <paramref name="wantData"/>
    /// says so (all of them by default); unwanted data is read past without being kept.
    /// </summary>
    public IEnumerable<TarEntry> Entries(Func<string, bool>? wantData = null)
    {
        while (Next(wantData) is { } entry) yield return entry;
    }

    /// <summary>The next member, or null at the end of the archive.</summary>
    public TarEntry? Next(Func<string, bool>? wantData = null)
    {
        if (_ended) return null;
        string? longName = null;
        long? paxSize = null;
        while (true)
        {
            var headerOffset = _position;
            var got = ReadBlock();
            if (got == 0)
            {
                // Every writer ends an archive with zero blocks; without them the file was most
                // likely cut short between members, and samples may be missing.
                _ended = true;
                throw Error(headerOffset, null,
                    "the archive ends without its end-of-archive blocks (a shard truncated between members?)");
            }
            if (got < TarFormat.BlockSize)
                throw Error(headerOffset, null, $"the archive ends inside a header ({got} of {TarFormat.BlockSize} bytes)");
            if (_block.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                _ended = true;
                return null;
            }

            var header = _block.AsSpan();
            var rawName = TarFormat.ReadString(header[..TarFormat.NameLength]);
            CheckChecksum(header, headerOffset, rawName);
            var type = header[TarFormat.TypeOffset];
            var size = TarFormat.ReadNumber(header.Slice(TarFormat.SizeOffset, 12))
                       ?? throw Error(headerOffset, rawName, "the size field is not an octal or base-256 number");
            if (paxSize is { } ps && type is not (TarFormat.TypePaxNext or TarFormat.TypePaxGlobal
                    or TarFormat.TypeGnuLongName or TarFormat.TypeGnuLongLink))
                size = ps;

            switch (type)
            {
                case TarFormat.TypePaxNext:
                {
                    var records = ParsePax(ReadData(size, headerOffset, rawName, keep: true)!, headerOffset, rawName);
                    if (records.TryGetValue("path", out var path)) longName = path;
                    if (records.TryGetValue("size", out var sizeText))
                        paxSize = long.TryParse(sizeText, out var s) && s >= 0 ? s
                            : throw Error(headerOffset, rawName, $"the pax size '{sizeText}' is not a non-negative integer");
                    continue;
                }
                case TarFormat.TypePaxGlobal:
                case TarFormat.TypeGnuLongLink:
                    ReadData(size, headerOffset, rawName, keep: false);
                    continue;
                case TarFormat.TypeGnuLongName:
                    longName = TarFormat.ReadString(ReadData(size, headerOffset, rawName, keep: true));
                    continue;
            }

            var name = longName ?? JoinPrefix(header, rawName);
            if (TarFormat.UnsafeNameReason(name) is { } reason)
                throw Error(headerOffset, name, reason + " (refusing a possible path-traversal member)");
            var kind = type switch
            {
                TarFormat.TypeFile or TarFormat.TypeFileOld or (byte)'7' => TarEntryType.File,
                TarFormat.TypeDirectory => TarEntryType.Directory,
                _ => TarEntryType.Other,
            };
            // Links, devices and FIFOs carry no data in practice, but skipping by size stays correct if one does.
            var keep = kind == TarEntryType.File && (wantData?.Invoke(name) ?? true);
            var data = ReadData(size, headerOffset, name, keep);
            return new TarEntry(name, kind, size, headerOffset, data);
        }
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }

    private void CheckChecksum(ReadOnlySpan<byte> header, long offset, string name)
    {
        var stored = TarFormat.ReadNumber(header.Slice(TarFormat.ChecksumOffset, 8));
        var (unsigned, signed) = TarFormat.Checksums(header);
        if (stored != unsigned && stored != signed)
            throw Error(offset, name.Length > 0 ? name : null,
                $"the header checksum is {stored?.ToString() ?? "unreadable"} but the header sums to {unsigned} (not a tar archive, or a damaged one)");
    }

    private static string JoinPrefix(ReadOnlySpan<byte> header, string name)
    {
        // Only POSIX ustar ("ustar\0") has a prefix field; GNU's "ustar " uses those bytes for other things.
        if (!header.Slice(TarFormat.MagicOffset, 6).SequenceEqual("ustar\0"u8)) return name;
        var prefix = TarFormat.ReadString(header.Slice(TarFormat.PrefixOffset, TarFormat.PrefixLength));
        return prefix.Length == 0 ? name : prefix + "/" + name;
    }

    private byte[]? ReadData(long size, long headerOffset, string name, bool keep)
    {
        var padded = TarFormat.PaddedLength(size);
        byte[]? data = null;
        if (keep)
        {
            if (size > _maxMemberBytes)
                throw Error(headerOffset, name, $"the member claims {size} bytes, more than the {_maxMemberBytes}-byte limit (a damaged size field?)");
            data = new byte[size];
            var read = _stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            _position += read;
            if (read < size) throw Truncated(headerOffset, name, size, read);
            Skip(padded - size, headerOffset, name, size);
            return data;
        }
        Skip(padded, headerOffset, name, size);
        return data;
    }

    /// <summary>Reads past <paramref name="count"/> bytes of the member whose header started at <paramref name="headerOffset"/>.</summary>
    private void Skip(long count, long headerOffset, string name, long size)
    {
        while (count > 0)
        {
            var n = _stream.Read(_block, 0, (int)Math.Min(count, _block.Length));
            if (n == 0)
            {
                var dataRead = Math.Clamp(_position - headerOffset - TarFormat.BlockSize, 0, size);
                if (dataRead < size) throw Truncated(headerOffset, name, size, dataRead);
                // Only padding is missing: hand out the whole member; the next read reports the cut.
                return;
            }
            count -= n;
            _position += n;
        }
    }

    private int ReadBlock()
    {
        var n = _stream.ReadAtLeast(_block, _block.Length, throwOnEndOfStream: false);
        _position += n;
        return n;
    }

    private Dictionary<string, string> ParsePax(byte[] data, long offset, string name)
    {
        // Each record is "<length> <key>=<value>\n", the length counting the whole record in bytes.
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 0;
        while (at < data.Length)
        {
            var space = Array.IndexOf(data, (byte)' ', at);
            if (space < 0 || !int.TryParse(Encoding.ASCII.GetString(data, at, space - at), out var length)
                || length <= space - at || at + length > data.Length || data[at + length - 1] != '\n')
                throw Error(offset, name, $"malformed pax record at byte {at} of the extended header");
            var record = Encoding.UTF8.GetString(data, space + 1, at + length - space - 2);
            var eq = record.IndexOf('=');
            if (eq <= 0) throw Error(offset, name, $"pax record '{record}' has no key=value");
            records[record[..eq]] = record[(eq + 1)..];
            at += length;
        }
        return records;
    }

    private DatasetFormatException Truncated(long offset, string name, long size, long got) =>
        Error(offset, name, $"the archive ends inside the member: {got} of its {size} data bytes are present (a truncated shard?)");

    private DatasetFormatException Error(long offset, string? member, string message) =>
        new(ArchiveName, member is null ? $"header at byte {offset}" : $"member '{member}' at byte {offset}", message);
}
