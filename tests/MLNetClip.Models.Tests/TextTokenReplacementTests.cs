using MLNetClip.Torch;

namespace MLNetClip.Models.Tests;

/// <summary>The text tower's replaced-token input (a mask embedding at chosen caption positions).</summary>
public class TextTokenReplacementTests
{
    private static TextTransformer Tower()
    {
        Generator.ManualSeed(11);
        return new TextTransformer(new TextTowerOptions { VocabSize = 50, ContextLength = 8, Width = 16, Layers = 2, Heads = 2 }, embedDim: 8);
    }

    [Fact]
    public void ReplacingWithATokensOwnEmbedding_EqualsEncodingThatToken()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var ids = Tensor.FromArray(new long[] { 1, 7, 9, 12, 49, 0, 1, 3, 4, 49, 0, 0 }, 2, 6);
        var swapped = Tensor.FromArray(new long[] { 1, 33, 9, 33, 49, 0, 1, 3, 33, 49, 0, 0 }, 2, 6);
        var replaced = swapped.Eq(33);                                                  // positions (0,1), (0,3), (1,2)
        var embedding33 = tower.TokenEmbed.Weight.Select(0, 33);
        using var viaReplacement = tower.Encode(ids, keepHidden: [1], replaced: replaced, replacement: embedding33);
        using var viaIds = tower.Encode(swapped, keepHidden: [1]);
        HfRoundTripTests.AssertClose(viaIds.LastHiddenState, viaReplacement.LastHiddenState, 0, "tokens");
        HfRoundTripTests.AssertClose(viaIds.Hidden[1], viaReplacement.Hidden[1], 0, "block 1");
        HfRoundTripTests.AssertClose(viaIds.Embedding, viaReplacement.Embedding, 0, "pooled at the end token");
    }

    [Fact]
    public void NothingReplaced_EqualsThePlainEncoding()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var ids = Tensor.FromArray(new long[] { 1, 7, 9, 49, 0 }, 1, 5);
        using var plain = tower.Encode(ids);
        using var none = tower.Encode(ids, replaced: Tensor.Zeros([1, 5], ScalarType.Bool), replacement: Tensor.Randn([16]));
        HfRoundTripTests.AssertClose(plain.LastHiddenState, none.LastHiddenState, 0, "tokens");
    }

    [Fact]
    public void TheReplacementReceivesAGradient_AndTheHiddenTokenNone()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        // Token 20 occurs only at the replaced position, so its embedding row must get no gradient.
        var ids = Tensor.FromArray(new long[] { 1, 20, 9, 49 }, 1, 4);
        var replaced = ids.Eq(20);
        var mask = Tensor.Randn([16]).RequiresGrad_();
        using (var encoding = tower.Encode(ids, replaced: replaced, replacement: mask))
            encoding.LastHiddenState.Square().Sum().Backward();
        Assert.True(mask.Grad!.Abs().Sum().Item() > 0, "the mask embedding gets a gradient");
        Assert.Equal(0, tower.TokenEmbed.Weight.Grad!.Select(0, 20).Abs().Sum().Item());
        Assert.True(tower.TokenEmbed.Weight.Grad!.Select(0, 9).Abs().Sum().Item() > 0, "an unreplaced token's row gets one");
    }

    [Fact]
    public void BadReplacementArguments_Throw()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var ids = Tensor.FromArray(new long[] { 1, 7, 49 }, 1, 3);
        var replaced = Tensor.Zeros([1, 3], ScalarType.Bool);
        Assert.Throws<ArgumentException>(() => tower.Encode(ids, replaced: replaced));
        Assert.Throws<ArgumentException>(() => tower.Encode(ids, replacement: Tensor.Zeros([16])));
        Assert.Throws<ArgumentException>(() => tower.Encode(ids, replaced: Tensor.Zeros([1, 3]), replacement: Tensor.Zeros([16])));
        Assert.Throws<ArgumentException>(() => tower.Encode(ids, replaced: Tensor.Zeros([1, 4], ScalarType.Bool), replacement: Tensor.Zeros([16])));
        Assert.Throws<ArgumentException>(() => tower.Encode(ids, replaced: replaced, replacement: Tensor.Zeros([8])));
    }
}
