using System.Collections.Concurrent;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Evaluation.Segmentation;

/// <summary>What an annotation-free segmentation run measured.</summary>
/// <param name="MeanIoU">Mean over the classes present in truth or prediction (<see cref="SegmentationIoU.Mean"/>).</param>
/// <param name="PerClass">IoU of each class, NaN for a class absent from both.</param>
/// <param name="PixelAccuracy">Share of pixels labelled right.</param>
/// <param name="ClassNames">Index 0 is the background, then the data's classes.</param>
/// <param name="Canvases">Collages evaluated.</param>
/// <param name="Options">How they were laid out.</param>
public sealed record SegmentationResult(double MeanIoU, double[] PerClass, double PixelAccuracy, IReadOnlyList<string> ClassNames,
    int Canvases, CollageOptions Options);

/// <summary>
/// Annotation-free zero-shot segmentation, the protocol of the MaskCLIP paper's Table 2, on a
/// collage set made at run time: labelled pictures are pasted on canvases
/// (<see cref="CollageBuilder"/>), every canvas is scored patch by patch against the class text
/// embeddings (<see cref="ClipPatchScorer"/>), the score maps are upsampled to pixels
/// (<see cref="ScoreMap.Labels"/>) and mIoU is counted over the whole set. The background, the
/// pixels no picture covers, is a class of its own named <see cref="BackgroundName"/>, prompted
/// with the same templates as the others.
/// </summary>
public static class ZeroShotSegmentation
{
    public const string BackgroundName = "background";

    /// <summary>Builds <paramref name="canvases"/> collages from <paramref name="data"/> and segments them with the model.</summary>
    public static SegmentationResult Evaluate(EvaluationModel model, LabelledImages data, IReadOnlyList<string> templates,
        CollageOptions options, int canvases, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("no pictures to make collages from");
        model.RequireTextVocabulary();
        var classNames = new[] { BackgroundName }.Concat(data.ClassNames).ToList();
        var collages = Collages(data, options, canvases);
        var weights = ZeroShotClassifier.Build(model.Clip, model.Tokenizer, classNames, templates);  // [C, E]
        using var scorer = new ClipPatchScorer(model.Clip, weights);
        return Evaluate(collages, scorer.Score, classNames, options, batchSize);
    }

    /// <summary>
    /// The collages of <paramref name="data"/>: picture labels are shifted by one to leave 0 for the
    /// background. Each picture is decoded once, with its alpha.
    /// </summary>
    public static IReadOnlyList<Collage> Collages(LabelledImages data, CollageOptions options, int canvases)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BackgroundLabel != 0) throw new ArgumentException("the background label must be 0 here; picture classes start at 1");
        if (canvases < 1) throw new ArgumentOutOfRangeException(nameof(canvases), canvases, "make at least one canvas");
        var builder = new CollageBuilder(options);
        var decoded = new ConcurrentDictionary<int, CollageSprite>();
        CollageSprite Sprite(int i) => decoded.GetOrAdd(i, k =>
        {
            var record = data.Images[k];
            var image = CollageBuilder.DecodeWithAlpha(record.ReadImageBytes(), record.ImagePath ?? record.Origin);
            return new CollageSprite(image, data.Labels[k] + 1);
        });
        return Enumerable.Range(0, canvases).Select(c => builder.Build(c, data.Count, Sprite)).ToList();
    }

    /// <summary>
    /// mIoU of any scorer's maps over the collages, scored <paramref name="batchSize"/> canvases at a
    /// time; the scorer returns one map per canvas given, over all of <paramref name="classNames"/>.
    /// </summary>
    public static SegmentationResult Evaluate(IReadOnlyList<Collage> collages, Func<IReadOnlyList<Collage>, IReadOnlyList<ScoreMap>> scorer,
        IReadOnlyList<string> classNames, CollageOptions options, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(collages);
        ArgumentNullException.ThrowIfNull(scorer);
        if (collages.Count == 0) throw new ArgumentException("no collages to segment");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        var iou = new SegmentationIoU(classNames.Count);
        for (var start = 0; start < collages.Count; start += batchSize)
        {
            var batch = collages.Skip(start).Take(batchSize).ToList();
            var maps = scorer(batch);
            if (maps.Count != batch.Count) throw new InvalidOperationException($"the scorer returned {maps.Count} maps for {batch.Count} canvases");
            for (var i = 0; i < batch.Count; i++)
            {
                if (maps[i].Classes != classNames.Count)
                    throw new InvalidOperationException($"the scorer gave {maps[i].Classes} classes, not {classNames.Count}");
                iou.Add(maps[i].Labels(batch[i].Image.Width), batch[i].Labels);
            }
        }
        return new SegmentationResult(iou.Mean(), iou.PerClass(), iou.PixelAccuracy(), classNames, collages.Count, options);
    }
}
