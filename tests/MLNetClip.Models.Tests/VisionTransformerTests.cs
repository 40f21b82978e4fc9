using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models.Tests;

/// <summary>Visible-token encoding, intermediate hidden states, attention maps and position resizing.</summary>
public class VisionTransformerTests
{
    private static VisionTransformer Tower(VisionPooling pooling = VisionPooling.Cls)
    {
        Generator.ManualSeed(7);
        var options = new VisionTowerOptions { ImageSize = 32, PatchSize = 8, Width = 48, Layers = 3, Heads = 4, Pooling = pooling, Activation = Activation.QuickGelu };
        var tower = new VisionTransformer(options, embedDim: 24);
        // Non-trivial LayerNorms so that a token mix-up cannot hide behind identity norms.
        using (GradMode.NoGrad())
            foreach (var (name, p) in tower.NamedParameters())
                if (name.Contains("norm")) p.Add_(Tensor.Randn(p.Shape) * 0.2);
        return tower.Eval() as VisionTransformer ?? throw new InvalidOperationException();
    }

    [Fact]
    public void AllPatchesVisible_EqualsFullEncoding()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 3, 32, 32]);
        var all = Tensor.Arange(16).View(1, 16).Expand(2, 16).Contiguous();
        using var full = tower.Encode(images);
        using var subset = tower.Encode(images, all);
        HfRoundTripTests.AssertClose(full.LastHiddenState, subset.LastHiddenState, 1e-5, "tokens");
        HfRoundTripTests.AssertClose(full.Pooled, subset.Pooled, 1e-5, "pooled");
        HfRoundTripTests.AssertClose(full.Embedding, subset.Embedding, 1e-5, "embedding");
    }

    [Fact]
    public void PermutedPatches_GiveThePermutedTokens()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 3, 32, 32]);
        var perm = Tensor.Stack([Tensor.RandPerm(16), Tensor.RandPerm(16)]);           // [2, 16]
        using var full = tower.Encode(images);
        using var permuted = tower.Encode(images, perm);
        var patches = full.LastHiddenState.Narrow(1, 1, 16);                            // [2, 16, D]
        var expected = patches.Gather(1, perm.Unsqueeze(-1).Expand(2, 16, 48));
        HfRoundTripTests.AssertClose(expected, permuted.LastHiddenState.Narrow(1, 1, 16), 1e-5, "permuted patch tokens");
        HfRoundTripTests.AssertClose(full.LastHiddenState.Select(1, 0), permuted.LastHiddenState.Select(1, 0), 1e-5, "class token");
    }

    [Fact]
    public void VisibleSubset_EqualsEncodingOnlyThoseTokens()
    {
        using var tower = Tower(VisionPooling.MeanPatches);
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 3, 32, 32]);
        var ids = Tensor.FromArray(new long[] { 0, 5, 6, 15, 3, 2, 9, 12 }, 2, 4);
        using var subset = tower.Encode(images, ids);
        Assert.Equal([2, 5, 48], subset.LastHiddenState.Shape);

        // By hand: embed every patch through the convolution, keep the chosen ones, run the rest of the tower.
        var tokens = tower.PatchEmbed.Forward(images) + tower.PosEmbed.Narrow(0, 1, 16);
        var kept = tokens.Gather(1, ids.Unsqueeze(-1).Expand(2, 4, 48));
        var cls = (tower.ClsToken + tower.PosEmbed.Select(0, 0)).View(1, 1, 48).Expand(2, 1, 48);
        var h = tower.Blocks.Forward(tower.NormPre.Forward(Tensor.Cat([cls, kept], 1)));
        var pooled = tower.Norm.Forward(h).Narrow(1, 1, 4).Mean(1);
        HfRoundTripTests.AssertClose(h, subset.LastHiddenState, 1e-5, "hidden");
        HfRoundTripTests.AssertClose(pooled, subset.Pooled, 1e-5, "mean-pooled");
    }

    [Fact]
    public void VisibleIds_OutOfRange_Throw()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([1, 3, 32, 32]);
        Assert.Throws<ArgumentOutOfRangeException>(() => tower.Encode(images, Tensor.FromArray(new long[] { 3, 16 }, 1, 2)));
        Assert.Throws<ArgumentException>(() => tower.Encode(images, Tensor.FromArray(new long[] { 3, 4 }, 2, 1)));
        Assert.Throws<ArgumentException>(() => tower.Encode(Tensor.Randn([1, 3, 30, 32])));
    }

    [Fact]
    public void HiddenStates_AreNumberedAsHuggingFaceDoes()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 3, 32, 32]);
        using var enc = tower.Encode(images, keepHidden: [0, 1, 3]);
        Assert.Equal([0, 1, 3], enc.Hidden.Keys);
        HfRoundTripTests.AssertClose(enc.LastHiddenState, enc.Hidden[3], 0, "last");
        HfRoundTripTests.AssertClose(tower.Blocks.Blocks[0].Forward(enc.Hidden[0]), enc.Hidden[1], 1e-6, "block 1 of hidden 0");
        Assert.Throws<ArgumentOutOfRangeException>(() => tower.Encode(images, keepHidden: [4]));
    }

    [Fact]
    public void AttentionMap_RowsSumToOne_AndMatchExplicitAttention()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 3, 32, 32]);
        var ids = Tensor.FromArray(new long[] { 1, 4, 7, 8, 9, 14, 0, 2, 3, 5, 11, 13 }, 2, 6);
        using var enc = tower.Encode(images, ids, keepHidden: [0, 1, 2], attentionMap: true);
        var map = enc.MeanAttention!;                                                   // [2, 7, 7]
        Assert.Equal([2, 7, 7], map.Shape);
        HfRoundTripTests.AssertClose(Tensor.Ones([2, 7]), map.Sum(-1), 1e-5, "row sums");

        // softmax(q·kᵀ/√dh) from each block's own input, averaged over 4 heads and 3 layers.
        Tensor? sum = null;
        for (var i = 0; i < 3; i++)
        {
            var block = tower.Blocks.Blocks[i];
            var x = block.Norm1.Forward(enc.Hidden[i]);
            Tensor Heads(Linear proj) => proj.Forward(x).View(2, 7, 4, 12).Permute(0, 2, 1, 3);
            var scores = Heads(block.Attn.QProj).MatMul(Heads(block.Attn.KProj).MT) / Math.Sqrt(12);
            var probs = scores.Exp() / scores.Exp().Sum(-1, keepDim: true);
            var headMean = probs.Mean(1);
            sum = sum is null ? headMean : sum + headMean;
        }
        HfRoundTripTests.AssertClose(sum! / 3, map, 1e-5, "attention map");

        var clsToPatch = enc.ClsToPatchAttention();
        HfRoundTripTests.AssertClose(map.Select(1, 0).Narrow(1, 1, 6), clsToPatch, 0, "CLS→patch");

        // Asking for the map does not change the encoding.
        using var plain = tower.Encode(images, ids);
        HfRoundTripTests.AssertClose(plain.LastHiddenState, enc.LastHiddenState, 1e-5, "tokens with and without maps");
    }

    [Fact]
    public void OtherImageSizes_ResizeThePositionGrid()
    {
        using var tower = Tower();
        using var scope = DisposeScope.Begin();
        using (var enc = tower.Encode(Tensor.Randn([1, 3, 48, 64])))
            Assert.Equal([1, 1 + 6 * 8, 48], enc.LastHiddenState.Shape);

        HfRoundTripTests.AssertClose(tower.PosEmbed.Narrow(0, 1, 16), tower.PatchPositions(4, 4), 0, "trained grid");
        // Bicubic weights sum to one: a constant grid stays constant at any size.
        using (GradMode.NoGrad()) tower.PosEmbed.Fill_(0.25);
        HfRoundTripTests.AssertClose(Tensor.Full([7 * 3, 48], 0.25), tower.PatchPositions(7, 3), 1e-6, "constant grid");
    }
}
