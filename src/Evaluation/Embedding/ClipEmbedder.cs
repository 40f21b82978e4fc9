using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using MLNetClip.Data.Images;
using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Embedding;

/// <summary>
/// Runs images and texts through a frozen CLIP in batches, without gradients, on the model's
/// device, and hands back float32 CPU matrices, one row per input, in input order. Images get the
/// evaluation preprocessing (shorter side to the model's image size, centre crop, CLIP
/// normalisation), decoded on <see cref="DecodeThreads"/> threads; results do not depend on the
/// batch size beyond floating-point rounding.
/// </summary>
public sealed class ClipEmbedder
{
    private readonly EvaluationModel _model;
    private readonly ImagePreprocessor _preprocessor;

    /// <param name="model">The model; it stays in evaluation mode.</param>
    /// <param name="batchSize">Images or texts per forward pass, 1 to 65536.</param>
    /// <param name="decodeThreads">Threads decoding one batch; 0 means one per core.</param>
    /// <param name="log">Told after each pass how many rows were embedded and how long it took.</param>
    public ClipEmbedder(EvaluationModel model, int batchSize = 64, int decodeThreads = 0, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize is < 1 or > 65536) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be 1 to 65536");
        if (decodeThreads < 0) throw new ArgumentOutOfRangeException(nameof(decodeThreads), decodeThreads, "decode threads must be 0 (one per core) or more");
        _model = model;
        BatchSize = batchSize;
        DecodeThreads = decodeThreads == 0 ? Environment.ProcessorCount : decodeThreads;
        _preprocessor = ImagePreprocessor.Evaluation(model.ImageSize);
        _log = log;
    }

    private readonly Action<string>? _log;

    public EvaluationModel Model => _model;

    public int BatchSize { get; }

    public int DecodeThreads { get; }

    /// <summary>The chosen feature of every image, [N, D] float32 on the CPU (the caller owns it).</summary>
    public Tensor ImageFeatures(IImageList images, ImageFeature feature) =>
        Run(images, _preprocessor, $"images ({ImageFeatureNames.Name(feature)})", pixels => feature == ImageFeature.Pixels
            ? pixels.Flatten(1)                                                               // [b, 3·S·S]
            : Features(_model.Clip, pixels.To(_model.Device), feature));                     // [b, D]

    /// <summary>
    /// The raw-pixel baseline's features: each image through the same evaluation preprocessing at
    /// <paramref name="size"/> pixels, flattened [N, 3·size·size], float32 on the CPU.
    /// </summary>
    public Tensor PixelFeatures(IImageList images, int size) =>
        Run(images, ImagePreprocessor.Evaluation(size), $"images (pixels {size}x{size})", pixels => pixels.Flatten(1));

    /// <summary>Unnormalised text embeddings [M, E], float32 on the CPU (the caller owns them).</summary>
    public Tensor TextEmbeddings(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("no texts to embed");
        _model.RequireTextVocabulary();
        var clock = Stopwatch.StartNew();
        var context = _model.Clip.Options.Text.ContextLength;
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var parts = new List<Tensor>();
        for (var start = 0; start < texts.Count; start += BatchSize)
        {
            using var batchScope = DisposeScope.Begin();
            var batch = texts.Skip(start).Take(BatchSize).ToList();
            var ids = _model.Tokenizer.Tokenize(batch, context).To(_model.Device);            // [b, L]
            var embedding = _model.Clip.EncodeText(ids);                                      // [b, E]
            parts.Add(embedding.To(Device.Cpu, ScalarType.Float32).Contiguous().MoveToOuterScope());
        }
        Log(texts.Count, "texts", clock);
        return Tensor.Cat(parts, 0).DetachFromScope();                                       // [M, E]
    }

    /// <summary>One feature of preprocessed images [B, 3, S, S] already on the model's device: [B, E] or [B, D].</summary>
    public static Tensor Features(Clip clip, Tensor images, ImageFeature feature)
    {
        using var scope = DisposeScope.Begin();
        if (feature == ImageFeature.Pixels) return images.Flatten(1).MoveToOuterScope();   // [B, 3·S·S]
        using var encoding = clip.Visual.Encode(images);
        if (feature == ImageFeature.Embedding) return encoding.Embedding.Clone().MoveToOuterScope(); // [B, E]
        var tokens = clip.Visual.Norm.Forward(encoding.LastHiddenState);                    // [B, 1 + K, D]
        var pooled = feature switch
        {
            ImageFeature.ClassToken => tokens.Select(1, 0),                                 // [B, D]
            ImageFeature.MeanPatches => tokens.Narrow(1, 1, tokens.Size(1) - 1).Mean(1),    // [B, D]
            _ => throw new ArgumentOutOfRangeException(nameof(feature), feature, "unknown image feature"),
        };
        return pooled.MoveToOuterScope();
    }

    /// <summary>Decodes batch after batch and maps each to features; the rows come back in input order.</summary>
    private Tensor Run(IImageList images, ImagePreprocessor preprocessor, string what, Func<Tensor, Tensor> map)
    {
        var clock = Stopwatch.StartNew();
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("no images to embed");
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var parts = new List<Tensor>();
        for (var start = 0; start < images.Count; start += BatchSize)
        {
            using var batchScope = DisposeScope.Begin();
            var pixels = Decode(images, preprocessor, start, Math.Min(BatchSize, images.Count - start)); // [b, 3, S, S]
            parts.Add(map(pixels).To(Device.Cpu, ScalarType.Float32).Contiguous().MoveToOuterScope());
        }
        Log(images.Count, what, clock);
        return Tensor.Cat(parts, 0).DetachFromScope();                                       // [N, D]
    }

    private void Log(int count, string what, Stopwatch clock) =>
        _log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"embedded {count:N0} {what} in {clock.Elapsed.TotalSeconds:0.0} s"));

    /// <summary>Images start..start+count preprocessed into a new CPU batch; the first failure by position is rethrown.</summary>
    private Tensor Decode(IImageList images, ImagePreprocessor preprocessor, int start, int count)
    {
        var batch = preprocessor.NewBatch(count);                                           // [b, 3, S, S]
        var errors = new Exception?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = DecodeThreads }, slot =>
        {
            try { images.WriteInto(preprocessor, batch, slot, start + slot); }
            catch (Exception e) { errors[slot] = e; }
        });
        var first = Array.Find(errors, e => e is not null);
        if (first is not null) ExceptionDispatchInfo.Capture(first).Throw();
        return batch;
    }
}
