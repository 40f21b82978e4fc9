using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Distill;

public class PromptingDecoderTests
{
    private const long Patches = 9;

    [Fact]
    public void VisibleTokensLeaveTheDecoderAsTheyCame()
    {
        using var scope = DisposeScope.Begin();
        var (decoder, student, mask) = Setup();
        using (decoder)
        using (mask)
        {
            var before = decoder.Forward(student, mask);                                // [2, 1 + 9, 5]
            // What the visible tokens must be if the blocks never touch them: head(norm(embed + position)).
            var (prompts, _) = decoder.Decode(student, mask);
            var expectedPrompts = decoder.Embed.Forward(student) + VisiblePositions(decoder, mask);
            Assert.True(prompts.AllClose(expectedPrompts, rtol: 0, atol: 1e-6), "the prompts changed inside the decoder");

            // Re-drawing every block's weights changes the mask tokens' predictions, never the visible ones'.
            using (GradMode.NoGrad())
                foreach (var block in decoder.Blocks)
                    foreach (var p in block.Parameters()) p.Normal_(0, 0.5);
            var after = decoder.Forward(student, mask);
            var visible = VisibleRows(mask);                                            // [B, 1 + K] token positions
            var removed = RemovedRows(mask);
            Assert.True(Gather(after, visible).AllClose(Gather(before, visible), rtol: 0, atol: 0), "a visible token's prediction depends on the blocks");
            Assert.False(Gather(after, removed).AllClose(Gather(before, removed), rtol: 0, atol: 1e-3), "the blocks did nothing to the mask tokens");
        }
    }

    [Fact]
    public void VisibleTokensReachTheMaskTokensOnlyThroughKeysAndValues()
    {
        using var scope = DisposeScope.Begin();
        var (decoder, student, mask) = Setup();
        using (decoder)
        using (mask)
        {
            Assert.True(GradientOnStudent(decoder, student, mask) > 1e-4, "the mask tokens ignore the visible tokens");
            // With the key and value projections zeroed, nothing else in a block may read the visible tokens.
            using (GradMode.NoGrad())
                foreach (var block in decoder.Blocks)
                {
                    block.Attn.KProj.Weight.Zero_();
                    block.Attn.KProj.Bias!.Zero_();
                    block.Attn.VProj.Weight.Zero_();
                    block.Attn.VProj.Bias!.Zero_();
                }
            Assert.Equal(0, GradientOnStudent(decoder, student, mask));
        }
    }

    private static double GradientOnStudent(PromptingDecoder decoder, Tensor student, PatchMask mask)
    {
        using var scope = DisposeScope.Begin();
        var input = student.Detach().RequiresGrad_();
        var (_, queries) = decoder.Decode(input, mask);
        queries.Sum().Backward();
        return input.Grad is { } g ? g.Abs().Max().Item() : 0;
    }

    private static (PromptingDecoder, Tensor, PatchMask) Setup()
    {
        Generator.ManualSeed(3);
        var decoder = new PromptingDecoder(inWidth: 6, width: 8, depth: 2, heads: 2, Patches, outWidth: 5);
        using var generator = new Generator(5);
        var mask = PatchMasking.Random(2, new PatchGrid(3, 3), 0.6, generator);
        var student = Tensor.Randn([2, 1 + mask.Keep, 6], generator).MoveToOuterScope();
        return (decoder, student, mask);
    }

    private static Tensor VisiblePositions(PromptingDecoder decoder, PatchMask mask)
    {
        long b = mask.VisibleIds.Size(0), k = mask.Keep, w = decoder.PosEmbed.Size(1);
        var ids = Tensor.Cat([Tensor.Zeros([b, 1], ScalarType.Int64), Plus1(mask.VisibleIds)], 1);  // token positions [B, 1 + K]
        return decoder.PosEmbed.IndexSelect(0, ids.Flatten()).View(b, 1 + k, w);
    }

    private static Tensor VisibleRows(PatchMask mask) =>
        Tensor.Cat([Tensor.Zeros([mask.VisibleIds.Size(0), 1], ScalarType.Int64), Plus1(mask.VisibleIds)], 1);

    private static Tensor RemovedRows(PatchMask mask) =>
        Plus1(mask.RestoreIds.ArgSort(1).Narrow(1, mask.Keep, Patches - mask.Keep));

    private static Tensor Gather(Tensor tokens, Tensor rows) =>
        tokens.Gather(1, rows.Unsqueeze(-1).Expand(rows.Size(0), rows.Size(1), tokens.Size(2)));

    // Patch number → token position (the class token is position 0); i64 stays i64.
    private static Tensor Plus1(Tensor ids) => ids + Tensor.OnesLike(ids);
}
