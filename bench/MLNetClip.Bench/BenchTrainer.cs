using MLNetClip.Data.Images;
using MLNetClip.Data.Loading;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// The training loop's own step (<see cref="TrainingStep"/>: captions trimmed to the longest,
/// forward, backward, global-norm clip, the non-finite guard, AdamW under the cosine schedule,
/// the logit-scale clamp, the method's after-step update such as the EMA teacher) over the
/// loop's own state (<see cref="TrainingState"/>: method, parameter groups, mask generator), fed
/// one fixed synthetic batch with the run defaults of <see cref="PretrainOptions"/>.
/// </summary>
internal sealed class BenchTrainer : IDisposable
{
    private const long StartToken = 49406, EndToken = 49407;

    private readonly TrainingState _state;
    private readonly TrainingStep _step;

    /// <summary>With a data-parallel group the step averages gradients over it (bench dist).</summary>
    public BenchTrainer(string method, int batchSize, int maxCaptionTokens, int seed, long plannedSteps,
        Torch.Distributed.ProcessGroup? group = null, Pretraining.Methods.Distill.DistillOptions? distill = null, bool overlap = true)
    {
        Options = new PretrainOptions
        {
            Method = method, Preset = "ViT-Tiny", BatchSize = batchSize, Seed = seed, Steps = plannedSteps, Distill = distill ?? new(),
            DataParallel = new DataParallelOptions { OverlapGradients = overlap },
        };
        var config = new RunConfig
        {
            Options = Options,
            Data = new DataDescription { Source = "synthetic batch", Samples = batchSize },
            TotalSteps = plannedSteps,
            WarmupSteps = Options.WarmupSteps ?? (long)Math.Round(0.05 * plannedSteps),
        };
        _state = TrainingState.Create(config, Device.Cpu, (model, o) => PretrainingMethods.Create(o.Method, model, o));
        Sync = group is null ? null : new GradientSync(group, Options);
        _step = new TrainingStep(_state, Options, Device.Cpu, Sync);
        Preset = _state.Method.Model.Options;
        (Batch, TextLength) = SyntheticBatch(batchSize, Preset, maxCaptionTokens, seed, PretrainingMethods.NeedsCoveringViews(method));
    }

    public PretrainOptions Options { get; }

    /// <summary>The step's gradient synchronisation, or null for one process.</summary>
    internal GradientSync? Sync { get; }
    public ClipOptions Preset { get; }
    public PretrainingMethod Method => _state.Method;
    public IReadOnlyList<Torch.Optim.ParamGroup> Groups => _state.Optimizer.Groups;
    public Torch.Optim.CosineSchedule Schedule => _state.Schedule;

    /// <summary>[B, 3, S, S] images and [B, 77] caption rows, as the loader hands them to the loop.</summary>
    public LoaderBatch Batch { get; }

    /// <summary>Caption length after the loop's trim (start and end tokens included).</summary>
    public long TextLength { get; }

    /// <summary>The seed of the method's mask generator (libtorch's CPU generator, so PyTorch can draw the same stream).</summary>
    public ulong MaskSeed => Seeds.Masks(Options.Seed);

    /// <summary>One optimisation step; its terms stay on the device until the caller reads them.</summary>
    public StepResult Step()
    {
        var result = _step.Run(Batch);
        _state.Step++;
        return result;
    }

    /// <summary>
    /// Normal-noise images and captions of random length (2..<paramref name="maxTokens"/> ids, start
    /// and end included) padded with zeros to the context length.
    /// </summary>
    private static (LoaderBatch Batch, long Longest) SyntheticBatch(int batch, ClipOptions preset, int maxTokens, int seed, bool views)
    {
        using var generator = new Generator((ulong)seed);
        var images = Tensor.Randn([batch, preset.Vision.Channels, preset.Vision.ImageSize, preset.Vision.ImageSize], generator);
        var random = new Random(seed);
        var context = preset.Text.ContextLength;
        var rows = new long[batch * context];
        var longest = 0;
        for (var b = 0; b < batch; b++)
        {
            var length = random.Next(2, maxTokens + 1);
            longest = Math.Max(longest, length);
            rows[b * context] = StartToken;
            for (var i = 1; i < length - 1; i++) rows[b * context + i] = random.Next(1, (int)StartToken);
            rows[b * context + length - 1] = EndToken;
        }
        var ids = Tensor.FromArray(rows, batch, context);                               // [B, 77]
        var names = Enumerable.Range(0, batch).Select(i => $"synthetic-{i}").ToArray();
        Tensor? viewImages = null, boxes = null;
        if (views)
        {
            // A-CLIP's loader hands over three views per image and their boxes; noise views, boxes drawn as the loader draws them.
            var size = preset.Vision.ImageSize;
            viewImages = Tensor.Randn([batch, CoveringViews.Count, preset.Vision.Channels, size, size], generator);
            var fractions = new float[batch * CoveringViews.Count * 4];
            for (var b = 0; b < batch; b++)
                CoveringViews.WriteFractions(CoveringViews.Sample(size, size, 0.5, 1, 3.0 / 4, 4.0 / 3, random), size, size,
                    fractions.AsSpan(b * CoveringViews.Count * 4, CoveringViews.Count * 4));
            boxes = Tensor.FromArray(fractions, batch, CoveringViews.Count, 4);
        }
        var loaderBatch = new LoaderBatch(0, 0, images, ids, names, names, names, new int?[batch],
            Enumerable.Range(0, batch).Select(i => (long)i).ToArray(), viewImages, boxes);
        return (loaderBatch, longest);
    }

    public void Dispose()
    {
        Batch.Dispose();
        _state.Dispose();
    }
}
