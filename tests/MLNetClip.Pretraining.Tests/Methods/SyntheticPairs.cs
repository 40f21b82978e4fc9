using MLNetClip.Data.Text;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Methods;

/// <summary>
/// 32 distinct image–caption pairs made in code: 8 colours × 4 patterns, e.g. a 32-px image of red
/// horizontal stripes on black captioned "red horizontal stripes". Every 8-px patch shows both the
/// colour and the pattern, so a masked view still identifies its caption.
/// </summary>
internal static class SyntheticPairs
{
    private static readonly (string Name, float R, float G, float B)[] Colours =
    [
        ("red", 1, 0, 0), ("green", 0, 1, 0), ("blue", 0, 0, 1), ("yellow", 1, 1, 0),
        ("cyan", 0, 1, 1), ("magenta", 1, 0, 1), ("white", 1, 1, 1), ("grey", 0.5f, 0.5f, 0.5f),
    ];

    private static readonly (string Name, Func<int, int, bool> On)[] Patterns =
    [
        ("horizontal stripes", (y, x) => y / 2 % 2 == 0),
        ("vertical stripes", (y, x) => x / 2 % 2 == 0),
        ("checkerboard", (y, x) => (y / 2 + x / 2) % 2 == 0),
        ("diagonal lines", (y, x) => (x + y) % 4 < 2),
    ];

    public static int Count => Colours.Length * Patterns.Length;

    public static string[] Captions() =>
        Colours.SelectMany(c => Patterns.Select(p => $"{c.Name} {p.Name}")).ToArray();

    /// <summary>[32, 3, size, size] float32 in [−1, 1].</summary>
    public static Tensor Images(int size)
    {
        var data = new float[Count * 3 * size * size];
        var i = 0;
        foreach (var c in Colours)
            foreach (var p in Patterns)
            {
                float[] rgb = [c.R, c.G, c.B];
                for (var ch = 0; ch < 3; ch++)
                    for (var y = 0; y < size; y++)
                        for (var x = 0; x < size; x++)
                            data[i++] = (p.On(y, x) ? rgb[ch] : 0) * 2 - 1;
            }
        return Tensor.FromArray(data, Count, 3, size, size);
    }

    /// <summary>The captions tokenised with the CLIP tokenizer, cut to the longest one (end token included).</summary>
    public static Tensor TokenIds()
    {
        using var full = ClipTokenizer.Default.Tokenize(Captions());
        return Trimmed(full);
    }

    /// <summary>Rows cut to the longest caption, as the training loop feeds them (a new tensor).</summary>
    public static Tensor Trimmed(Tensor ids)
    {
        var rows = ids.ToArray<long>();
        var l = (int)ids.Size(1);
        var longest = Enumerable.Range(0, (int)ids.Size(0))
            .Max(r => Array.IndexOf(rows, (long)ClipTokenizer.Default.EndId, r * l) - r * l + 1);
        using var scope = DisposeScope.Begin();
        return ids.Narrow(1, 0, longest).Contiguous().MoveToOuterScope();
    }
}
