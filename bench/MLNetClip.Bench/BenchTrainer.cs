using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Bench;

/// <summary>
/// One pretraining method with its optimiser on a fixed synthetic batch: the step a training
/// run repeats (forward, backward, global-norm clip, AdamW under the cosine schedule, the
/// method's after-step update such as the EMA teacher), with the run defaults of
/// <see cref="PretrainOptions"/>. The batch's captions are trimmed to the longest one, as the loop trims them.
/// </summary>
internal sealed class BenchTrainer : IDisposable
{
    private const long StartToken = 49406, EndToken = 49407;

    private readonly Tensor[] _trainable;
    private readonly Generator _generator;
    private readonly StepContext _context;

    public BenchTrainer(string method, ClipOptions preset, int batchSize, int maxCaptionTokens, int seed, long plannedSteps)
    {
        Generator.ManualSeed((ulong)seed);
        Options = new PretrainOptions { Method = method, BatchSize = batchSize, Seed = seed, Steps = plannedSteps };
        Preset = preset;
        Method = PretrainingMethods.Create(method, new Clip(preset), Options);
        Groups = ParamGroup.ForWeightDecay(Method, Options.WeightDecay);
        _trainable = Groups.SelectMany(g => g.Parameters).ToArray();
        Optimizer = new AdamW(Groups, Options.LearningRate, Options.Beta1, Options.Beta2, Options.Eps);
        var warmup = Options.WarmupSteps ?? Math.Max(1, plannedSteps / 20);
        Schedule = new CosineSchedule(Options.LearningRate, warmup, plannedSteps, Options.MinLearningRate);
        MaskSeed = (ulong)seed + 1;
        _generator = new Generator(MaskSeed);
        _context = new StepContext(_generator, Device.Cpu, plannedSteps);
        Batch = SyntheticBatch(batchSize, preset, maxCaptionTokens, seed);
    }

    public PretrainOptions Options { get; }
    public ClipOptions Preset { get; }
    public PretrainingMethod Method { get; }
    public ParamGroup[] Groups { get; }
    public AdamW Optimizer { get; }
    public CosineSchedule Schedule { get; }
    public PretrainBatch Batch { get; }

    /// <summary>The seed of the method's own random stream (masks); libtorch's CPU generator, so PyTorch can draw the same stream.</summary>
    public ulong MaskSeed { get; }

    /// <summary>Caption length after trimming (start and end tokens included).</summary>
    public long TextLength => Batch.TokenIds.Size(1);

    /// <summary>One optimisation step; returns its loss terms (the caller disposes them, reading them only when it needs to).</summary>
    public LossTerms Step()
    {
        using var scope = DisposeScope.Begin();
        Optimizer.ZeroGrad();
        var terms = Method.Forward(Batch, _context);
        terms.Total.Backward();
        if (Options.GradClipNorm > 0) GradientUtils.ClipGradNorm(_trainable, Options.GradClipNorm);
        Optimizer.LearningRate = Schedule.At(_context.Step);
        Optimizer.Step();
        Method.AfterStep(_context);
        _context.Step++;
        return terms;
    }

    /// <summary>
    /// Normal-noise images and captions of random length (2..<paramref name="maxTokens"/> ids, start
    /// and end included) padded with zeros to the context length, then cut to the longest caption.
    /// </summary>
    private static PretrainBatch SyntheticBatch(int batch, ClipOptions preset, int maxTokens, int seed)
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
        using var scope = DisposeScope.Begin();
        var padded = Tensor.FromArray(rows, batch, context);                            // [B, 77]
        var ids = padded.Narrow(1, 0, longest).Contiguous();                            // [B, L]
        return new PretrainBatch(images, ids.MoveToOuterScope());
    }

    public void Dispose()
    {
        Batch.Dispose();
        Optimizer.Dispose();
        Method.Dispose();
        _generator.Dispose();
    }
}
