using MLNetClip.Data.Text;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Tests.Methods;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Masking;

/// <summary>Caption masking: only words, exact per-caption counts, never start, end or padding.</summary>
public class TextMaskingTests
{
    private static readonly string[] Captions =
    [
        "",
        "cat",
        "grinning face",
        "a red circle on a blue square",
        "the quick brown fox jumps over the lazy dog while seven emoji watch from a distance, politely",
    ];

    [Theory]
    [InlineData(0, 0.15, 0)]
    [InlineData(1, 0.15, 1)]     // at least one
    [InlineData(2, 0.15, 1)]
    [InlineData(10, 0.15, 2)]    // 1.5 rounds half up
    [InlineData(20, 0.15, 3)]
    [InlineData(3, 0.9, 3)]      // never more than the words there are
    public void MaskCount_RoundsHalfUp_WithAtLeastOneWord(long words, double ratio, long expected) =>
        Assert.Equal(expected, TextMasking.MaskCount(words, ratio));

    [Theory]
    [InlineData(0.15)]
    [InlineData(0.5)]
    public void Masks_OnlyWords_InExactCounts(double ratio)
    {
        var tokenizer = ClipTokenizer.Default;
        using var scope = DisposeScope.Begin();
        var ids = SyntheticPairs.Trimmed(tokenizer.Tokenize(Captions));
        var rows = ids.ToArray<long>();
        long b = ids.Size(0), l = ids.Size(1);
        // End positions found by hand from the ids, independently of the tower's pooling.
        var end = Enumerable.Range(0, (int)b).Select(r => (long)Array.IndexOf(rows, (long)tokenizer.EndId, r * (int)l) - r * l).ToArray();
        using var generator = new Generator(1);
        var seen = new HashSet<(int Row, long Position)>();
        for (var draw = 0; draw < 200; draw++)
        {
            using var masked = TextMasking.Random(ids, Tensor.FromArray(end), ratio, generator);
            Assert.Equal(ScalarType.Bool, masked.DType);
            var flags = masked.ToArray<bool>();
            for (var r = 0; r < b; r++)
            {
                var words = end[r] - 1;
                var chosen = Enumerable.Range(0, (int)l).Where(p => flags[r * l + p]).ToList();
                Assert.Equal(TextMasking.MaskCount(words, ratio), chosen.Count);
                Assert.All(chosen, p => Assert.InRange(p, 1, end[r] - 1));             // never start, end or padding
                foreach (var p in chosen) seen.Add((r, p));
            }
        }
        // Every word position of every caption is chosen at some point.
        Assert.Equal(end.Sum(e => e - 1), seen.Count);
    }

    [Fact]
    public void ACaptionWithoutAnEndToken_IsNeverMasked()
    {
        using var scope = DisposeScope.Begin();
        var ids = Tensor.FromArray(new long[] { 49406, 320, 1125, 49407, 49406, 320, 1125, 2368 }, 2, 4);
        var end = Tensor.FromArray(new long[] { 3, 0 });                                // row 1: no end token (argmax of none = 0)
        using var generator = new Generator(2);
        var flags = TextMasking.Random(ids, end, 0.5, generator).ToArray<bool>();
        Assert.Equal(1, flags.Take(4).Count(f => f));
        Assert.DoesNotContain(true, flags.Skip(4));
    }

    [Fact]
    public void BadArguments_Throw()
    {
        using var scope = DisposeScope.Begin();
        using var generator = new Generator(2);
        var ids = Tensor.Zeros([2, 5], ScalarType.Int64);
        Assert.Throws<ArgumentOutOfRangeException>(() => TextMasking.Random(ids, Tensor.Zeros([2], ScalarType.Int64), 1.0, generator));
        Assert.Throws<ArgumentException>(() => TextMasking.Random(ids, Tensor.Zeros([3], ScalarType.Int64), 0.15, generator));
    }
}
