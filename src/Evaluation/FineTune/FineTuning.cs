using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MLNetClip.Data.Images;
using MLNetClip.Evaluation.Classification;
using MLNetClip.Evaluation.Data;
using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Evaluation.FineTune;

/// <summary>
/// End-to-end fine-tuning: the image tower and a linear classifier on its projected embedding are
/// trained together with cross-entropy, AdamW with layer-wise learning-rate decay
/// (<see cref="LayerDecay"/>), a cosine schedule with linear warm-up and gradient clipping, on
/// training crops (<see cref="ImagePreprocessor.Training"/>); the test images get the evaluation
/// preprocessing. The tower is changed in place, so give it a model loaded for this purpose.
/// </summary>
public static class FineTuning
{
    public static FineTuneResult Run(VisionTransformer tower, LabelledImages train, LabelledImages test, FineTuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(tower);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0 || test.Count == 0) throw new ArgumentException("fine-tuning needs training and test images");
        if (!train.ClassNames.SequenceEqual(test.ClassNames)) throw new ArgumentException("training and test images must share one class list");
        var device = tower.PosEmbed.Device;
        var size = tower.Options.ImageSize;
        var decodeThreads = options.DecodeThreads == 0 ? Environment.ProcessorCount : options.DecodeThreads;
        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var steps = options.Steps ?? options.Epochs * batchesPerEpoch;

        Generator.ManualSeed((ulong)options.Seed);
        using var classifier = new Linear(tower.Head is Linear head ? head.Weight.Size(0) : tower.Options.Width, train.ClassNames.Count);
        classifier.To(device);
        using var optimizer = new AdamW(LayerDecay.Groups(tower, classifier, options.LayerDecay, options.WeightDecay), options.LearningRate);
        var schedule = new CosineSchedule(options.LearningRate, (long)(options.WarmupFraction * steps), steps);
        var parameters = optimizer.Groups.SelectMany(g => g.Parameters).ToList();
        var preprocessor = ImagePreprocessor.Training(size);
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        tower.Train();
        for (var step = 0; step < steps; step++)
        {
            var epoch = step / batchesPerEpoch;
            var order = Order(train.Count, options.Seed, epoch);
            var start = step % batchesPerEpoch * options.BatchSize;
            var indices = order.Skip(start).Take(options.BatchSize).ToArray();
            using var scope = DisposeScope.Begin();
            var images = Decode(train, indices, preprocessor, decodeThreads, r => new Random(unchecked(EpochSeed(options.Seed, epoch) * 1_000_003 + r))); // [b, 3, S, S]
            var labels = Tensor.FromArray(indices.Select(i => (long)train.Labels[i]).ToArray(), indices.Length).To(device);        // [b]
            var logits = classifier.Forward(tower.Forward(images.To(device)));                                                     // [b, C]
            var loss = F.CrossEntropy(logits, labels);
            optimizer.ZeroGrad();
            loss.Backward();
            GradientUtils.ClipGradNorm(parameters, options.MaxGradNorm);
            optimizer.LearningRate = schedule.At(step);
            optimizer.Step();
            losses.Add(loss.Item());
        }
        clock.Stop();
        tower.Eval();
        var result = Evaluate(tower, classifier, test, decodeThreads, options.BatchSize);
        var tail = losses.Skip(losses.Count - Math.Max(1, losses.Count / 10)).Average();
        return new FineTuneResult(result, train.ClassNames, steps, tail, train.Count, test.Count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Test scores [N, C] of the tuned tower and classifier, in evaluation mode, summarised.</summary>
    private static ClassificationResult Evaluate(VisionTransformer tower, Linear classifier, LabelledImages test, int decodeThreads, int batchSize)
    {
        var preprocessor = ImagePreprocessor.Evaluation(tower.Options.ImageSize);
        using var scope = DisposeScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var parts = new List<Tensor>();
        for (var start = 0; start < test.Count; start += batchSize)
        {
            var indices = Enumerable.Range(start, Math.Min(batchSize, test.Count - start)).ToArray();
            var images = Decode(test, indices, preprocessor, decodeThreads, _ => null);                            // [b, 3, S, S]
            parts.Add(classifier.Forward(tower.Forward(images.To(tower.PosEmbed.Device))).To(Device.Cpu, ScalarType.Float32)); // [b, C]
        }
        return ClassificationMetrics.Compute(Tensor.Cat(parts, 0), test.Labels);
    }

    /// <summary>A permutation of the training images that depends only on the seed and the epoch.</summary>
    internal static int[] Order(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(EpochSeed(seed, epoch)).Shuffle(order);
        return order;
    }

    // Plain arithmetic, not HashCode, which .NET randomises per process.
    private static int EpochSeed(int seed, int epoch) => unchecked(seed * 7919 + epoch);

    private static Tensor Decode(LabelledImages data, int[] indices, ImagePreprocessor preprocessor, int threads, Func<int, Random?> random)
    {
        var batch = preprocessor.NewBatch(indices.Length);                                                         // [b, 3, S, S]
        var errors = new Exception?[indices.Length];
        Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, slot =>
        {
            try
            {
                var record = data.Images[indices[slot]];
                preprocessor.WriteInto(batch, slot, record.ReadImageBytes(), random(indices[slot]), record.ImagePath ?? record.Origin);
            }
            catch (Exception e) { errors[slot] = e; }
        });
        if (Array.Find(errors, e => e is not null) is { } first) ExceptionDispatchInfo.Capture(first).Throw();
        return batch;
    }
}
