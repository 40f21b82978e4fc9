using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// The CLIP image tower: patch embedding, class token, learned positions, pre-LayerNorm,
/// transformer, post-LayerNorm, pooling and a bias-free projection into the joint space.
/// Parameter names: patch_embed, cls_token [D], pos_embed [1 + N, D], norm_pre, blocks, norm, head.
/// </summary>
public sealed class VisionTransformer : Module<Tensor, Tensor>
{
    private readonly VisionTowerOptions _options;

    /// <param name="options">Tower dimensions; validated here.</param>
    /// <param name="embedDim">Output width of the projection; 0 leaves the pooled features unprojected.</param>
    public VisionTransformer(VisionTowerOptions options, long embedDim)
    {
        options.Validate();
        _options = options;
        long width = options.Width, grid = options.GridSize;
        PatchEmbed = Register("patch_embed", new PatchEmbed(options.PatchSize, options.Channels, width));
        ClsToken = RegisterParameter("cls_token", Tensor.Empty([width]));
        PosEmbed = RegisterParameter("pos_embed", Tensor.Empty([1 + grid * grid, width]));
        NormPre = Register("norm_pre", new LayerNorm(width, options.LayerNormEps));
        Blocks = Register("blocks", new Transformer(width, options.Layers, options.Heads, options.MlpRatio,
            options.Activation, causal: false, options.LayerNormEps));
        Norm = Register("norm", new LayerNorm(width, options.LayerNormEps));
        Head = Register<Module<Tensor, Tensor>>("head", embedDim > 0 ? new Linear(width, embedDim, bias: false) : new Identity());
        TowerInit.Vision(this);
    }

    public VisionTowerOptions Options => _options;
    public PatchEmbed PatchEmbed { get; }
    public Tensor ClsToken { get; }
    public Tensor PosEmbed { get; }
    public LayerNorm NormPre { get; }
    public Transformer Blocks { get; }
    public LayerNorm Norm { get; }

    /// <summary>The projection (a bias-free Linear), or Identity when the tower is unprojected.</summary>
    public Module<Tensor, Tensor> Head { get; }

    /// <summary>images [B, C, H, W] → projected, unnormalised embeddings [B, E].</summary>
    public override Tensor Forward(Tensor images)
    {
        using var encoding = Encode(images);
        return encoding.Embedding.View(encoding.Embedding.Shape);
    }

    /// <summary>
    /// The full encoding with optional extras.
    /// <paramref name="visibleIds"/> [B, K] (row-major patch numbers) encodes only those patches plus
    /// the class token; the rest are never computed. <paramref name="keepHidden"/> selects hidden states
    /// (0 = after norm_pre, i = after block i). <paramref name="attentionMap"/> averages the attention
    /// probabilities over heads and layers.
    /// </summary>
    public VisionEncoding Encode(Tensor images, Tensor? visibleIds = null, IReadOnlyCollection<int>? keepHidden = null, bool attentionMap = false)
    {
        using var scope = DisposeScope.Begin();
        var tokens = EmbedTokens(images, visibleIds);                                   // [B, 1 + K, D]
        var trace = Blocks.ForwardTraced(NormPre.Forward(tokens), keepHidden, attentionMap);
        var pooled = Pool(Norm.Forward(trace.Output));                                  // [B, D]
        var embedding = Head.Forward(pooled);                                           // [B, E]
        return new VisionEncoding(trace, pooled, embedding);
    }

    /// <summary>Class token followed by (the chosen) patch tokens, positions added: [B, 1 + K, D].</summary>
    private Tensor EmbedTokens(Tensor images, Tensor? visibleIds)
    {
        var (rows, cols) = PatchEmbed.Grid(images.Size(2), images.Size(3));
        var patchPos = PatchPositions(rows, cols);                                      // [N, D]
        Tensor patches;
        if (visibleIds is null)
        {
            patches = PatchEmbed.Forward(images) + patchPos;                            // [B, N, D]
        }
        else
        {
            CheckVisibleIds(visibleIds, images.Size(0), rows * cols);
            var pos = patchPos.IndexSelect(0, visibleIds.Flatten())                     // [B·K, D]
                .View(visibleIds.Size(0), visibleIds.Size(1), _options.Width);          // [B, K, D]
            patches = PatchEmbed.ForwardVisible(images, visibleIds) + pos;              // [B, K, D]
        }
        var b = images.Size(0);
        var cls = (ClsToken + PosEmbed.Select(0, 0))                                    // [D]
            .View(1, 1, _options.Width).Expand(b, 1, _options.Width);                   // [B, 1, D]
        return Tensor.Cat([cls, patches], 1);                                           // [B, 1 + K, D]
    }

    /// <summary>
    /// Patch position embeddings for a rows×cols grid [rows·cols, D]. A grid other than the trained
    /// one is resized bicubically (align_corners = false, no antialiasing, as Hugging Face does).
    /// </summary>
    public Tensor PatchPositions(long rows, long cols)
    {
        var grid = _options.GridSize;
        var trained = PosEmbed.Narrow(0, 1, grid * grid);                               // [g·g, D]
        if (rows == grid && cols == grid) return trained;
        using var scope = DisposeScope.Begin();
        var image = trained.View(1, grid, grid, _options.Width).Permute(0, 3, 1, 2);    // [1, D, g, g]
        var resized = F.InterpolateBicubic(image, rows, cols);                          // [1, D, rows, cols]
        return resized.Permute(0, 2, 3, 1).Reshape(rows * cols, _options.Width).MoveToOuterScope();
    }

    private Tensor Pool(Tensor normed) => _options.Pooling switch                       // normed [B, T, D]
    {
        VisionPooling.Cls => normed.Select(1, 0),                                       // [B, D]
        VisionPooling.MeanPatches => normed.Narrow(1, 1, normed.Size(1) - 1).Mean(1),   // [B, D]
        _ => throw new InvalidOperationException($"unknown pooling {_options.Pooling}"),
    };

    private static void CheckVisibleIds(Tensor ids, long batch, long patches)
    {
        if (ids.Dim != 2 || ids.Size(0) != batch || ids.DType != ScalarType.Int64)
            throw new ArgumentException($"visible ids must be i64 [B={batch}, K], got {ids}", nameof(ids));
        // Range-checked on the host only: a read-back here would stall a GPU on every masked forward.
        if (ids.NumberOfElements == 0 || ids.Device.IsCuda) return;
        using var scope = DisposeScope.Begin();
        long min = ids.Min().ItemInt64(), max = ids.Max().ItemInt64();
        if (min < 0 || max >= patches)
            throw new ArgumentOutOfRangeException(nameof(ids), $"visible ids must be patch numbers in 0..{patches - 1}, got {min}..{max}");
    }
}
