using MLNetClip.Torch;

namespace MLNetClip.Data.Loading;

/// <summary>
/// One batch from an <see cref="ImageTextLoader"/>. <b>The consumer owns it</b>: dispose it (or
/// its tensors) when done, typically with <c>using var batch = ...</c> or <c>using (batch)</c> in
/// the loop. The loader never touches a batch again once handed over, so the tensors may be kept,
/// moved to a device or put in a <see cref="DisposeScope"/>.
/// </summary>
public sealed class LoaderBatch : IDisposable
{
    internal LoaderBatch(int epoch, int index, Tensor images, Tensor tokenIds, string[] keys, string[] captions,
        string[] origins, int?[] labels, long[] sampleIds, Tensor? views = null, Tensor? viewBoxes = null)
    {
        Views = views;
        ViewBoxes = viewBoxes;
        Epoch = epoch;
        Index = index;
        Images = images;
        TokenIds = tokenIds;
        Keys = keys;
        Captions = captions;
        Origins = origins;
        Labels = labels;
        SampleIds = sampleIds;
    }

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>The batch's position within its epoch, from 0.</summary>
    public int Index { get; }

    /// <summary>Samples in the batch: the batch size, except possibly the last batch of an epoch.</summary>
    public int Count => Keys.Count;

    /// <summary>[Count, 3, S, S] float32, preprocessed (normalised, CHW). With covering views: the covers.</summary>
    public Tensor Images { get; }

    /// <summary>[Count, ContextLength] int64 CLIP token ids (start, text, end, then zeros).</summary>
    public Tensor TokenIds { get; }

    /// <summary>Each sample's key in its source.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Each sample's caption as stored (before tokeniser clean-up).</summary>
    public IReadOnlyList<string> Captions { get; }

    /// <summary>Where each sample came from ("file line 12", "shard member 000042.jpg").</summary>
    public IReadOnlyList<string> Origins { get; }

    /// <summary>Each sample's class, for labelled sources; otherwise null entries.</summary>
    public IReadOnlyList<int?> Labels { get; }

    /// <summary>
    /// Each sample's identity within the source: the index for manifests and folders,
    /// (partition &lt;&lt; 32 | ordinal) for shards. Its augmentation is seeded from it.
    /// </summary>
    public IReadOnlyList<long> SampleIds { get; }

    /// <summary>
    /// With covering views (<c>ImagePreprocessorOptions.CoveringViews</c>): [Count, 3, 3, S, S], per sample
    /// online crop 1, online crop 2 and the cover; otherwise null.
    /// </summary>
    public Tensor? Views { get; }

    /// <summary>With covering views: float32 [Count, 3, 4], each view's box as fractions of its image (x0, y0, x1, y1); otherwise null.</summary>
    public Tensor? ViewBoxes { get; }

    public void Dispose()
    {
        Views?.Dispose();
        ViewBoxes?.Dispose();
        Images.Dispose();
        TokenIds.Dispose();
    }
}
