using System.Text;

namespace MLNetClip.Data.Shards;

/// <summary>
/// Writes POSIX tar archives (ustar headers, with a pax extended header in front of any member
/// whose name is longer than 100 bytes or not plain ASCII). Owner, group and modification time
/// are fixed, so the same members in the same order always give the same bytes. GNU tar,
/// bsdtar, Python's tarfile and <see cref="TarReader"/> all read the result.
/// </summary>
public sealed class TarWriter : IDisposable
{
    /// <summary>GNU tar pads archives to records of 20 blocks; doing the same keeps strict readers quiet.</summary>
    private const int RecordSize = 20 * TarFormat.BlockSize;

    /// <summary>2000-01-01T00:00:00Z: a fixed timestamp so output is reproducible (0 makes some tools warn).</summary>
    private const long FixedMtime = 946684800;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _header = new byte[TarFormat.BlockSize];
    private long _position;
    private bool _finished;

    public TarWriter(Stream stream, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes written so far, end marker excluded until <see cref="Finish"/>.</summary>
    public long Position => _position;

    /// <summary>Appends a regular file. The name must be relative, '/'-separated and free of "..".</summary>
    public void WriteFile(string name, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (TarFormat.UnsafeNameReason(name) is { } reason)
            throw new ArgumentException($"tar member '{name}': {reason}", nameof(name));
        var nameBytes = Encoding.UTF8.GetBytes(name);
        // A span is under 2 GiB, so the size always fits the octal field; only the name may need pax.
        var needsPax = nameBytes.Length > TarFormat.NameLength || nameBytes.Any(b => b >= 0x80);
        if (needsPax)
        {
            var pax = new StringBuilder();
            AppendPaxRecord(pax, "path", name);
            var paxBytes = Encoding.UTF8.GetBytes(pax.ToString());
            WriteHeader(PaxPlaceholderName(name), paxBytes.Length, TarFormat.TypePaxNext);
            WriteData(paxBytes);
        }
        WriteHeader(needsPax ? AsciiFallback(name) : name, data.Length, TarFormat.TypeFile);
        WriteData(data);
    }

    /// <summary>Writes the two zero blocks that end an archive and pads to a whole record.</summary>
    public void Finish()
    {
        if (_finished) return;
        var end = TarFormat.PaddedLength(_position + 2 * TarFormat.BlockSize);
        end = (end + RecordSize - 1) / RecordSize * RecordSize;
        Span<byte> zeros = stackalloc byte[TarFormat.BlockSize];
        zeros.Clear();
        while (_position < end)
        {
            _stream.Write(zeros);
            _position += TarFormat.BlockSize;
        }
        _stream.Flush();
        _finished = true;
    }

    public void Dispose()
    {
        Finish();
        if (!_leaveOpen) _stream.Dispose();
    }

    private void WriteHeader(string name, long size, byte type)
    {
        var h = _header.AsSpan();
        h.Clear();
        var nameBytes = Encoding.UTF8.GetBytes(name);
        nameBytes.AsSpan(0, Math.Min(nameBytes.Length, TarFormat.NameLength)).CopyTo(h);
        TarFormat.WriteOctal(h.Slice(100, 8), 0b110_100_100);
        TarFormat.WriteOctal(h.Slice(108, 8), 0);
        TarFormat.WriteOctal(h.Slice(116, 8), 0);
        TarFormat.WriteOctal(h.Slice(TarFormat.SizeOffset, 12), size);
        TarFormat.WriteOctal(h.Slice(136, 12), FixedMtime);
        h[TarFormat.TypeOffset] = type;
        "ustar\0"u8.CopyTo(h[TarFormat.MagicOffset..]);
        "00"u8.CopyTo(h[263..]);
        TarFormat.WriteOctal(h.Slice(329, 8), 0);
        TarFormat.WriteOctal(h.Slice(337, 8), 0);
        // The checksum field is six octal digits, a NUL and a space.
        var (sum, _) = TarFormat.Checksums(h);
        TarFormat.WriteOctal(h.Slice(TarFormat.ChecksumOffset, 7), sum);
        h[TarFormat.ChecksumOffset + 7] = (byte)' ';
        _stream.Write(h);
        _position += TarFormat.BlockSize;
    }

    private void WriteData(ReadOnlySpan<byte> data)
    {
        _stream.Write(data);
        var pad = (int)(TarFormat.PaddedLength(data.Length) - data.Length);
        Span<byte> zeros = stackalloc byte[TarFormat.BlockSize];
        zeros.Clear();
        _stream.Write(zeros[..pad]);
        _position += data.Length + pad;
    }

    private static void AppendPaxRecord(StringBuilder pax, string key, string value)
    {
        // The length prefix counts itself, so grow it until the total is consistent.
        var body = $" {key}={value}\n";
        var bodyBytes = Encoding.UTF8.GetByteCount(body);
        var length = bodyBytes + 1;
        while (length.ToString().Length + bodyBytes != length) length = length.ToString().Length + bodyBytes;
        pax.Append(length).Append(body);
    }

    private static string PaxPlaceholderName(string name) => "PaxHeaders/" + AsciiFallback(Path.GetFileName(name));

    /// <summary>What a reader without pax support sees: the name squeezed to 100 ASCII bytes.</summary>
    private static string AsciiFallback(string name)
    {
        var ascii = new string(name.Select(c => c < 0x80 ? c : '_').ToArray());
        if (ascii.Length > TarFormat.NameLength) ascii = ascii[^TarFormat.NameLength..];
        // A cut may start at a '/' or inside "../"; keep even the fallback relative and traversal-free.
        var trimmed = ascii.TrimStart('/', '.');
        return trimmed.Length > 0 ? trimmed : "_";
    }
}
