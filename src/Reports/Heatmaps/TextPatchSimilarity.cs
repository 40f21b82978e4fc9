using MLNetClip.Data.Text;
using MLNetClip.Models;
using MLNetClip.Reports.Pictures;
using MLNetClip.Torch;

namespace MLNetClip.Reports.Heatmaps;

/// <summary>
/// Where in an image a caption is: the MaskCLIP paper's dense map. Each patch token of the last
/// block goes through the image tower's final LayerNorm and its projection into the joint space,
/// the same path the pooled token takes, and is compared with the caption's embedding by cosine.
/// </summary>
public static class TextPatchSimilarity
{
    /// <summary>Projected, L2-normalised patch tokens [B, N, E] for CLIP-normalised images [B, 3, S, S]; N is row-major over the patch grid.</summary>
    public static Tensor PatchEmbeddings(Clip model, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var noGrad = GradMode.NoGrad();
        using var scope = DisposeScope.Begin();
        using var encoding = model.Visual.Encode(images);
        var hidden = encoding.LastHiddenState;                                          // [B, 1 + N, D]
        var patches = hidden.Narrow(1, 1, hidden.Size(1) - 1);                          // [B, N, D]
        var projected = model.Visual.Head.Forward(model.Visual.Norm.Forward(patches));  // [B, N, E]
        return F.Normalize(projected).MoveToOuterScope();
    }

    /// <summary>
    /// Cosine similarity of every patch of every image with every text [B, T, N], from images
    /// [B, 3, S, S] and text embeddings [T, E] (normalised here, so raw embeddings do).
    /// </summary>
    public static Tensor Compute(Clip model, Tensor images, Tensor textEmbeddings)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = DisposeScope.Begin();
        var patches = PatchEmbeddings(model, images);                                   // [B, N, E]
        var texts = F.Normalize(textEmbeddings);                                        // [T, E]
        return texts.MatMul(patches.MT).MoveToOuterScope();                             // [B, T, N]
    }

    /// <summary>
    /// One map per caption for one image [1, 3, S, S] (or [3, S, S]), laid out on the image's
    /// patch grid. Captions are tokenised for the model's text context.
    /// </summary>
    public static IReadOnlyList<PatchMap> Maps(Clip model, Tensor image, IReadOnlyList<string> captions, ClipTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (captions.Count == 0) throw new ArgumentException("give at least one caption", nameof(captions));
        tokenizer ??= ClipTokenizer.Default;
        using var noGrad = GradMode.NoGrad();
        using var scope = DisposeScope.Begin();
        var batch = image.Dim == 3 ? image.Unsqueeze(0) : image;                        // [1, 3, S, S]
        if (batch.Dim != 4 || batch.Size(0) != 1) throw new ArgumentException($"expected one image [1, 3, S, S], got {image}", nameof(image));
        var (rows, cols) = model.Visual.PatchEmbed.Grid(batch.Size(2), batch.Size(3));
        var ids = tokenizer.Tokenize(captions, model.Text.Options.ContextLength);       // [T, L]
        var text = model.EncodeText(ids);                                               // [T, E]
        var cosine = Compute(model, batch, text).Select(0, 0)                           // [T, N]
            .To(Device.Cpu, ScalarType.Float32).Contiguous().ToArray<float>();
        var n = (int)(rows * cols);
        return Enumerable.Range(0, captions.Count)
            .Select(t => new PatchMap((int)rows, (int)cols, cosine.AsSpan(t * n, n).ToArray()))
            .ToList();
    }
}
