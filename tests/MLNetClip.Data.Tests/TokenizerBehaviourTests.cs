using MLNetClip.Data.Text;
using MLNetClip.Torch;

namespace MLNetClip.Data.Tests;

/// <summary>Rows, truncation, clean-up equivalences, decoding and batching of <see cref="ClipTokenizer"/>.</summary>
public class TokenizerBehaviourTests
{
    private static readonly ClipTokenizer Tok = ClipTokenizer.Default;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(77)]
    public void LongTextIsCutWithTheEndTokenLast(int contextLength)
    {
        var text = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"word{i}"));
        var ids = Tok.Encode(text);
        Assert.True(ids.Count > contextLength);

        var row = Tok.EncodeRow(text, contextLength);

        Assert.Equal(contextLength, row.Length);
        Assert.Equal(Tok.StartId, row[0]);
        Assert.Equal(Tok.EndId, row[^1]);
        Assert.Equal(ids.Take(contextLength - 2).Select(i => (long)i), row[1..^1]);
    }

    [Fact]
    public void RowBoundaryIsExact()
    {
        // "a" is one token, so k words give k ids: 75 fit a 77-row untouched, 76 are cut.
        var a = Tok.Encode("a").Single();
        var fits = Tok.EncodeRow(string.Join(' ', Enumerable.Repeat("a", 75)));
        Assert.Equal([Tok.StartId, .. Enumerable.Repeat((long)a, 75), Tok.EndId], fits);
        var cut = Tok.EncodeRow(string.Join(' ', Enumerable.Repeat("a", 76)));
        Assert.Equal(fits, cut);
        var shortRow = Tok.EncodeRow(string.Join(' ', Enumerable.Repeat("a", 74)));
        Assert.Equal([Tok.StartId, .. Enumerable.Repeat((long)a, 74), Tok.EndId, ClipTokenizer.PadId], shortRow);
    }

    [Fact]
    public void SpanOverloadReportsTheTokensBeforePadding()
    {
        Span<long> row = stackalloc long[10];
        Assert.Equal(2, Tok.EncodeRow("", row));
        Assert.Equal(Tok.Encode("a photo of a dog").Count + 2, Tok.EncodeRow("a photo of a dog", row));
        // An end token written in the text is kept as a token; the count still covers the whole row.
        Assert.Equal(5, Tok.EncodeRow("x <|endoftext|> y", row));
        Assert.Equal(10, Tok.EncodeRow(string.Join(' ', Enumerable.Repeat("a", 30)), row));
        Assert.Equal(Tok.EndId, row[9]);
    }

    [Fact]
    public void EmptyTextIsStartEndAndPadding()
    {
        Assert.Empty(Tok.Encode(""));
        var row = Tok.EncodeRow("", 8);
        Assert.Equal(new long[] { 49406, 49407, 0, 0, 0, 0, 0, 0 }, row);
    }

    [Fact]
    public void ContextLengthBelowTwoIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.EncodeRow("x", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Tokenize(["x"], 0));
        Assert.Throws<ArgumentNullException>(() => Tok.Encode(null!));
    }

    [Theory]
    [InlineData("  lots   of\twhite\nspace  ", "lots of white space")]
    [InlineData("A Photo Of A DOG", "a photo of a dog")]
    [InlineData("&lt;b&gt;bold&lt;/b&gt;", "<b>bold</b>")]
    [InlineData("fish &amp;amp; chips", "fish & chips")]
    [InlineData("&amp;amp;lt;", "& lt ;")]
    [InlineData("caf&eacute;\u00a0au\u2003lait", "café au lait")]
    public void CleanUpMakesTextsEquivalent(string raw, string plain) =>
        Assert.Equal(Tok.Encode(plain), Tok.Encode(raw));

    [Theory]
    [InlineData("a photo of a dog")]
    [InlineData("supercalifragilisticexpialidocious and antidisestablishmentarianism")]
    [InlineData("😀 🐶 emoji in text")]
    [InlineData("東京タワー naïve café")]
    public void DecodeRestoresSpaceSeparatedText(string text)
    {
        Assert.Equal(text, Tok.Decode(Tok.Encode(text)));
        Assert.Equal(text, Tok.Decode(Tok.EncodeRow(text).Select(i => (int)i)));
    }

    [Fact]
    public void DecodeThenEncodeIsStableOnRandomAscii()
    {
        // Decoding puts a space at each word end, so "3.14" comes back as "3 . 1 4"; encoding that
        // again must give the same ids. '&' is left out: decoding it first would change the text.
        var rng = new Random(1234);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"-_/()[]{}<>|@#$%^*+=~`\\\t\n";
        for (var n = 0; n < 500; n++)
        {
            var text = new string(Enumerable.Range(0, rng.Next(0, 60)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
            var ids = Tok.Encode(text);
            Assert.Equal(ids, Tok.Encode(Tok.Decode(ids)));
        }
    }

    [Fact]
    public void DecodeRejectsUnknownIds()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([320, 49408]));
        Assert.Contains("49408", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([-1]));
    }

    [Fact]
    public void TokenizeBatchesRowsIntoAnInt64Tensor()
    {
        string[] texts = ["a photo of a dog", "", "😀", string.Join(' ', Enumerable.Repeat("cat", 100))];
        using var batch = Tok.Tokenize(texts, 20);

        Assert.Equal(new long[] { 4, 20 }, batch.Shape);
        Assert.Equal(ScalarType.Int64, batch.DType);
        var values = batch.ToArray<long>();
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(Tok.EncodeRow(texts[i], 20), values[(i * 20)..((i + 1) * 20)]);
        }
    }

    [Fact]
    public void TokenizeOfNoTextsIsAnEmptyBatch()
    {
        using var batch = Tok.Tokenize([], 77);
        Assert.Equal(new long[] { 0, 77 }, batch.Shape);
    }
}
