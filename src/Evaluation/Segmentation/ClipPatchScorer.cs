using MLNetClip.Data.Images;
using MLNetClip.Evaluation.ZeroShot;
using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Segmentation;

/// <summary>
/// MaskCLIP's annotation-free dense prediction: every patch token of the last block goes through
/// the image tower's final LayerNorm and projection (the path the pooled token takes) and is
/// compared by cosine with each class's template-ensemble text embedding. Canvases get the
/// evaluation preprocessing at the model's image size, so a square canvas maps onto the whole grid.
/// </summary>
public sealed class ClipPatchScorer : IDisposable
{
    private readonly Clip _model;
    private readonly Tensor _classes;
    private readonly ImagePreprocessor _preprocessor;

    /// <param name="model">The CLIP model, used without gradients; its mode is left as it is.</param>
    /// <param name="classWeights">Normalised class embeddings [C, E] (<see cref="ZeroShotClassifier.Build"/>); the scorer owns them.</param>
    public ClipPatchScorer(Clip model, Tensor classWeights)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(classWeights);
        _model = model;
        _classes = classWeights;
        _preprocessor = ImagePreprocessor.Evaluation(model.Options.Vision.ImageSize);
    }

    /// <summary>Projected, L2-normalised patch tokens [B, N, E] of preprocessed images [B, 3, S, S]; N runs row-major over the grid.</summary>
    public static Tensor PatchEmbeddings(Clip model, Tensor images)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        using var encoding = model.Visual.Encode(images);
        var hidden = encoding.LastHiddenState;                                          // [B, 1 + N, D]
        var patches = hidden.Narrow(1, 1, hidden.Size(1) - 1);                          // [B, N, D]
        var projected = model.Visual.Head.Forward(model.Visual.Norm.Forward(patches));  // [B, N, E]
        return F.Normalize(projected).MoveToOuterScope();
    }

    /// <summary>One score map per canvas, on the model's patch grid.</summary>
    public IReadOnlyList<ScoreMap> Score(IReadOnlyList<Collage> canvases)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var batch = _preprocessor.NewBatch(canvases.Count);                              // [B, 3, S, S]
        for (var i = 0; i < canvases.Count; i++) _preprocessor.WriteInto(batch, i, canvases[i].Image);
        var (rows, cols) = _model.Visual.PatchEmbed.Grid(batch.Size(2), batch.Size(3));
        var patches = PatchEmbeddings(_model, batch.To(_classes.Device));                // [B, N, E]
        var scores = _classes.MatMul(patches.MT)                                         // [B, C, N]
            .To(Device.Cpu, ScalarType.Float32).Contiguous().ToArray<float>();
        var classes = (int)_classes.Size(0);
        var cells = (int)(rows * cols);
        return Enumerable.Range(0, canvases.Count)
            .Select(b => new ScoreMap(classes, (int)rows, (int)cols, scores.AsSpan(b * classes * cells, classes * cells).ToArray()))
            .ToList();
    }

    public void Dispose() => _classes.Dispose();
}
