using System.Globalization;
using System.Text;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Output;

/// <summary>
/// Writes a float32 matrix as a NumPy <c>.npy</c> file that <c>numpy.load</c> reads.
///
/// Format (version 1.0): the magic bytes <c>\x93NUMPY</c>, the version bytes 1 and 0, a little-endian
/// uint16 header length, then the header: an ASCII Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (N, D), }</c> padded with spaces and ended by
/// a newline so that the data starts at a multiple of 64 bytes; then the values, little-endian,
/// row-major.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];
    private const int Alignment = 64;

    /// <summary>Writes <paramref name="matrix"/> (any float dtype, any device; stored as float32) to <paramref name="path"/>, replacing it.</summary>
    public static void Write(string path, Tensor matrix)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the .npy writer assumes a little-endian machine");
        byte[] data;
        using (var scope = DisposeScope.Begin())
            data = matrix.Detach().To(Device.Cpu, ScalarType.Float32).Contiguous().ToBytes();
        var temp = path + ".partial";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(Header(matrix.Shape));
            file.Write(data);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Magic, version, length and the padded dict for a float32 array of <paramref name="shape"/>.</summary>
    internal static byte[] Header(IReadOnlyList<long> shape)
    {
        // A 1-d shape needs the trailing comma to be a Python tuple: (5,).
        var dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        var unpadded = Magic.Length + 2 + dict.Length + 1;
        var padding = (Alignment - unpadded % Alignment) % Alignment;
        var text = dict + new string(' ', padding) + "\n";
        if (text.Length > ushort.MaxValue) throw new ArgumentException("the array has too many dimensions for a version 1.0 header");
        var header = new byte[Magic.Length + 2 + text.Length];
        Magic.CopyTo(header, 0);
        header[Magic.Length] = (byte)(text.Length & 0xFF);
        header[Magic.Length + 1] = (byte)(text.Length >> 8);
        Encoding.ASCII.GetBytes(text, 0, text.Length, header, Magic.Length + 2);
        return header;
    }
}
