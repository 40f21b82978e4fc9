using System.Buffers.Binary;
using System.IO.Compression;
using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.FashionMnist;

/// <summary>
/// Reads IDX files (the MNIST family's format), plain or gzip-compressed.
///
/// Format: two zero bytes; a type byte (0x08 = unsigned byte, the only type these data sets use);
/// a rank byte; one big-endian int32 per dimension; then the values, row-major, with nothing after them.
/// </summary>
internal static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an unsigned-byte IDX file of the given rank, checking header and length.</summary>
    public static (int[] Dims, byte[] Data) ReadBytes(string path, int rank)
    {
        var bytes = Load(path);
        if (bytes.Length < 4)
            throw new DatasetFormatException(path, "byte 0", $"the file has {bytes.Length} bytes, too few for an IDX header");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DatasetFormatException(path, "byte 0",
                $"the magic number starts 0x{bytes[0]:X2}{bytes[1]:X2}, expected 0x0000 (not an IDX file)");
        if (bytes[2] != UnsignedByte)
            throw new DatasetFormatException(path, "byte 2", $"the element type is 0x{bytes[2]:X2}, expected 0x08 (unsigned byte)");
        if (bytes[3] != rank)
            throw new DatasetFormatException(path, "byte 3", $"the file has {bytes[3]} dimensions, expected {rank}");
        var headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new DatasetFormatException(path, "byte 4", $"the file ends inside the header ({bytes.Length} of {headerLength} bytes)");

        var dims = new int[rank];
        long total = 1;
        for (var d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (dims[d] <= 0)
                throw new DatasetFormatException(path, $"byte {4 + 4 * d}", $"dimension {d} is {dims[d]}, expected a positive size");
            total *= dims[d];
        }
        var dataLength = bytes.Length - headerLength;
        if (dataLength != total)
            throw new DatasetFormatException(path, $"byte {headerLength}",
                $"the header promises {total} values ({string.Join("x", dims)}) but {dataLength} bytes follow it" +
                (dataLength < total ? " (a truncated file?)" : ""));
        return (dims, bytes.AsSpan(headerLength).ToArray());
    }

    private static byte[] Load(string path)
    {
        var raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(path, "gzip stream", "the file starts like gzip but does not decompress: " + e.Message, e);
        }
    }
}
