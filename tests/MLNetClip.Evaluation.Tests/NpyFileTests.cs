using System.Globalization;
using System.Text.Json;
using MLNetClip.Evaluation.Output;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>Our .npy writer, read back by NumPy itself.</summary>
public class NpyFileTests
{
    private const string ReadBack =
        "import json, sys, numpy as np\n" +
        "path = sys.stdin.read().strip()\n" +
        "with open(path, 'rb') as f:\n" +
        "    version = np.lib.format.read_magic(f)\n" +
        "a = np.load(path)\n" +
        "print(json.dumps({'version': list(version), 'dtype': a.dtype.str, 'shape': list(a.shape), 'c': bool(a.flags.c_contiguous),\n" +
        "                  'values': [repr(float(v)) for v in a.ravel()]}))\n";

    private static (int[] Version, string DType, long[] Shape, bool COrder, float[] Values) Load(string path)
    {
        using var doc = JsonDocument.Parse(PythonTorch.Run(ReadBack, path));
        var root = doc.RootElement;
        return (root.GetProperty("version").EnumerateArray().Select(v => v.GetInt32()).ToArray(),
            root.GetProperty("dtype").GetString()!,
            root.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
            root.GetProperty("c").GetBoolean(),
            root.GetProperty("values").EnumerateArray().Select(v => (float)double.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray());
    }

    [TorchFact]
    public void NumPyReadsBackTheExactMatrix()
    {
        using var folder = new TempFolder();
        float[] values = [0f, -0.5f, 1e-30f, 3.4e38f, -7.25f, 1f / 3, float.Epsilon, 123456.789f, -0f, 2.5f, 42f, -1e-7f];
        using var matrix = Tensor.FromArray(values, 3, 4);
        var path = folder.File("m.npy");
        NpyFile.Write(path, matrix);

        var (version, dtype, shape, cOrder, read) = Load(path);
        Assert.Equal([1, 0], version);
        Assert.Equal("<f4", dtype);
        Assert.Equal([3L, 4L], shape);
        Assert.True(cOrder);
        Assert.Equal(values, read);
    }

    [TorchFact]
    public void AVectorAndAWideMatrixRoundTrip()
    {
        using var folder = new TempFolder();
        using var vector = Tensor.FromArray(new float[] { 1, 2, 3 }, 3);
        NpyFile.Write(folder.File("v.npy"), vector);
        var v = Load(folder.File("v.npy"));
        Assert.Equal([3L], v.Shape);
        Assert.Equal([1f, 2f, 3f], v.Values);

        // float64 input is stored as float32; the data starts after a 64-byte-aligned header.
        using var generator = new Generator(3);
        using var wide = Tensor.Randn([5, 300], generator, ScalarType.Float64);
        NpyFile.Write(folder.File("w.npy"), wide);
        var w = Load(folder.File("w.npy"));
        Assert.Equal([5L, 300L], w.Shape);
        Assert.Equal(wide.To(ScalarType.Float32).ToArray<float>(), w.Values);
    }

    [Theory]
    [InlineData(new long[] { 3, 4 })]
    [InlineData(new long[] { 7 })]
    [InlineData(new long[] { 123456, 1024 })]
    public void TheHeaderIsPaddedToSixtyFourBytesAndEndsWithANewline(long[] shape)
    {
        var header = NpyFile.Header(shape);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal(header.Length - 10, header[8] | header[9] << 8);
        Assert.Equal((byte)'\n', header[^1]);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], header[..8]);
    }
}
