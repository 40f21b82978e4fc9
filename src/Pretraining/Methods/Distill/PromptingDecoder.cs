using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// MILAN's prompting decoder. The student's class token and visible patches are embedded to the
/// decoder width and given their positions; a learnable mask token plus its position stands for
/// each removed patch. Every <see cref="PromptingBlock"/> updates the mask tokens only, reading
/// the visible tokens as fixed keys and values. The sequence is then put back in patch order,
/// LayerNormed and projected: a prediction for every token (visible ones included, as MILAN's
/// loss covers all tokens). Parameter names: embed, mask_token [W], pos_embed [1 + N, W],
/// blocks.{i}, norm, head.
/// </summary>
public sealed class PromptingDecoder : Module
{
    private readonly List<PromptingBlock> _blocks = new();

    public PromptingDecoder(long inWidth, long width, int depth, long heads, long patches, long outWidth)
    {
        Embed = Register("embed", new Linear(inWidth, width));
        MaskToken = RegisterParameter("mask_token", Tensor.Empty([width]));
        PosEmbed = RegisterParameter("pos_embed", Tensor.Empty([1 + patches, width]));
        var blocks = Register("blocks", new NumberedModules());
        for (var i = 0; i < depth; i++) _blocks.Add(blocks.Add(new PromptingBlock(width, heads)));
        Norm = Register("norm", new LayerNorm(width));
        Head = Register("head", new Linear(width, outWidth));
        using var noGrad = GradMode.NoGrad();
        MaskToken.Normal_(0, 0.02);
        PosEmbed.Normal_(0, 0.02);
    }

    public Linear Embed { get; }
    public Tensor MaskToken { get; }
    public Tensor PosEmbed { get; }
    public IReadOnlyList<PromptingBlock> Blocks => _blocks;
    public LayerNorm Norm { get; }
    public Linear Head { get; }

    /// <summary>
    /// student [B, 1 + K, inWidth] (class token, then patches in <see cref="PatchMask.VisibleIds"/>
    /// order) → predictions [B, 1 + N, out], class token first, patches in patch order.
    /// </summary>
    public Tensor Forward(Tensor student, PatchMask mask)
    {
        using var scope = DisposeScope.Begin();
        var (prompts, queries) = Decode(student, mask);                                 // [B, 1 + K, W], [B, N − K, W]
        long b = student.Size(0), k = mask.Keep, n = mask.Grid.Count, w = prompts.Size(2);
        var shuffled = Tensor.Cat([prompts.Narrow(1, 1, k), queries], 1);               // [B, N, W] kept, then removed
        var patches = shuffled.Gather(1, mask.RestoreIds.Unsqueeze(-1).Expand(b, n, w)); // [B, N, W] patch order
        var tokens = Tensor.Cat([prompts.Narrow(1, 0, 1), patches], 1);                 // [B, 1 + N, W]
        return Head.Forward(Norm.Forward(tokens)).MoveToOuterScope();                   // [B, 1 + N, out]
    }

    /// <summary>The decoder's two streams before the output head: the prompts (never changed after the embedding) and the updated mask tokens.</summary>
    public (Tensor Prompts, Tensor Queries) Decode(Tensor student, PatchMask mask)
    {
        long b = student.Size(0), k = mask.Keep, n = mask.Grid.Count;
        if (student.Size(1) != 1 + k)
            throw new ArgumentException($"expected 1 + {k} student tokens, got {student.Size(1)}", nameof(student));
        using var scope = DisposeScope.Begin();
        var w = PosEmbed.Size(1);
        var patchPos = PosEmbed.Narrow(0, 1, n);                                        // [N, W]
        var visiblePos = patchPos.IndexSelect(0, mask.VisibleIds.Flatten()).View(b, k, w);  // [B, K, W]
        var removedIds = mask.RestoreIds.ArgSort(1).Narrow(1, k, n - k).Contiguous();   // [B, N − K]
        var removedPos = patchPos.IndexSelect(0, removedIds.Flatten()).View(b, n - k, w);   // [B, N − K, W]
        var pos = Tensor.Cat([PosEmbed.Narrow(0, 0, 1).View(1, 1, w).Expand(b, 1, w), visiblePos], 1); // [B, 1 + K, W]
        var prompts = Embed.Forward(student) + pos;                                     // [B, 1 + K, W]
        var queries = MaskToken.View(1, 1, w) + removedPos;                             // [B, N − K, W]
        foreach (var block in _blocks) queries = block.Forward(queries, prompts);
        return (prompts.MoveToOuterScope(), queries.MoveToOuterScope());
    }
}
