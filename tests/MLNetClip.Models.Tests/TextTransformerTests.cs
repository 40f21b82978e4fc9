using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models.Tests;

/// <summary>Pooling at the end token, causality and input checks of the text tower.</summary>
public class TextTransformerTests
{
    private static TextTransformer Tower(TextPooling pooling)
    {
        Generator.ManualSeed(3);
        return new TextTransformer(new TextTowerOptions { VocabSize = 50, ContextLength = 10, Width = 32, Layers = 2, Heads = 4, Pooling = pooling, EosTokenId = 40 }, embedDim: 16);
    }

    [Fact]
    public void Pooling_PicksTheEndTokenRow()
    {
        // Row 0: eos 40 twice, and a larger id 45 after the first one; row 1: no eos at all.
        var ids = Tensor.FromArray(new long[] { 1, 7, 40, 45, 40, 0, 0, 0, 1, 3, 4, 5, 0, 0, 0, 0 }, 2, 8);
        using (var tower = Tower(TextPooling.FirstEos))
        {
            using var idx = tower.EndTokenIndex(ids);
            Assert.Equal([2L, 0L], idx.ToArray<long>());
            using var enc = tower.Encode(ids);
            using var scope = DisposeScope.Begin();
            HfRoundTripTests.AssertClose(enc.LastHiddenState.Select(0, 0).Select(0, 2), enc.Pooled.Select(0, 0), 0, "row 0 pooled");
            HfRoundTripTests.AssertClose(enc.LastHiddenState.Select(0, 1).Select(0, 0), enc.Pooled.Select(0, 1), 0, "row 1 pooled");
        }
        using (var tower = Tower(TextPooling.ArgMax))
        {
            using var idx = tower.EndTokenIndex(ids);
            Assert.Equal([3L, 3L], idx.ToArray<long>());
        }
        ids.Dispose();
    }

    [Fact]
    public void EarlierTokens_DoNotSeeLaterOnes()
    {
        using var tower = Tower(TextPooling.FirstEos);
        using var scope = DisposeScope.Begin();
        var a = Tensor.FromArray(new long[] { 1, 7, 9, 40, 0, 0 }, 1, 6);
        var b = Tensor.FromArray(new long[] { 1, 7, 9, 40, 33, 21 }, 1, 6);
        using var ea = tower.Encode(a);
        using var eb = tower.Encode(b);
        HfRoundTripTests.AssertClose(ea.LastHiddenState.Narrow(1, 0, 4), eb.LastHiddenState.Narrow(1, 0, 4), 1e-6, "prefix");
        HfRoundTripTests.AssertClose(ea.Embedding, eb.Embedding, 1e-6, "pooled before the padding");
        var diff = (ea.LastHiddenState.Select(1, 5) - eb.LastHiddenState.Select(1, 5)).Abs().Max().Item();
        Assert.True(diff > 1e-3, "the last token must depend on the tokens before it");
    }

    [Fact]
    public void CausalAttentionWeights_AreLowerTriangular_AndMatchTheFastPath()
    {
        Generator.ManualSeed(4);
        using var attn = new Attention(24, 3, causal: true);
        using var scope = DisposeScope.Begin();
        var x = Tensor.Randn([2, 5, 24]);
        var (output, weights) = attn.ForwardWithWeights(x);
        HfRoundTripTests.AssertClose(attn.Forward(x), output, 1e-6, "explicit vs SDPA");
        HfRoundTripTests.AssertClose(Tensor.Zeros([2, 3, 5, 5]), weights * Tensor.Ones([5, 5]).Triu(1), 0, "future weights");
        HfRoundTripTests.AssertClose(Tensor.Ones([2, 3, 5]), weights.Sum(-1), 1e-6, "row sums");
    }

    [Fact]
    public void BadIds_Throw()
    {
        using var tower = Tower(TextPooling.FirstEos);
        using var scope = DisposeScope.Begin();
        Assert.Throws<ArgumentException>(() => tower.Encode(Tensor.Zeros([1, 11], ScalarType.Int64)));
        Assert.Throws<ArgumentOutOfRangeException>(() => tower.Encode(Tensor.Full([1, 4], 50, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => tower.Encode(Tensor.Zeros([1, 4])));
    }
}
