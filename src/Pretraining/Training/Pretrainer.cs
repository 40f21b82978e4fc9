using System.Diagnostics;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.Loading;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// The training loop, the same for every method: it builds the method from the options, feeds it
/// batches, backpropagates <see cref="LossTerms.Total"/>, steps AdamW, and writes metrics,
/// checkpoints and the final model into a <see cref="RunDirectory"/>. A run killed at any moment
/// and resumed from its last checkpoint ends with the same parameters, bit for bit on CPU, as
/// one never interrupted (same threads; see <see cref="Seeds"/> and <see cref="CheckpointStore"/>).
/// </summary>
public sealed class Pretrainer
{
    private const int CalibrationSteps = 3;

    private readonly PretrainOptions _options;
    private readonly IImageTextSource _source;
    private readonly RunDirectory _directory;
    private readonly IPretrainProgress _progress;
    private readonly MethodFactory _createMethod;

    /// <summary>Checks every option now (naming any bad one), before anything is read or built.</summary>
    public Pretrainer(PretrainOptions options, IImageTextSource source, string outputDirectory, IPretrainProgress? progress = null)
        : this(options, source, outputDirectory, progress, null) { }

    internal Pretrainer(PretrainOptions options, IImageTextSource source, string outputDirectory, IPretrainProgress? progress,
        MethodFactory? createMethod)
    {
        options.Validate();
        _options = options;
        _source = source;
        _directory = new RunDirectory(outputDirectory);
        _progress = progress ?? new SilentProgress();
        _createMethod = createMethod ?? ((model, o) => PretrainingMethods.Create(o.Method, model, o));
    }

    public RunDirectory Directory => _directory;

    /// <summary>
    /// The data-parallel group this process trains in, or null for one process. With a group every
    /// rank runs the same loop on its share of the data (see <see cref="DataParallelRun"/>); only
    /// rank 0 writes the run folder.
    /// </summary>
    public ProcessGroup? Group { get; set; }

    /// <summary>
    /// Trains to the end, or until <paramref name="cancel"/> fires (then a checkpoint is written and
    /// the result says Cancelled). With <paramref name="resume"/>, continues the run already in the
    /// output folder from its newest checkpoint (or starts it, when the folder holds none).
    /// </summary>
    public PretrainResult Run(bool resume = false, CancellationToken cancel = default)
    {
        var device = Device.Parse(_options.Device);
        if (device.IsCuda && !Cuda.IsAvailable)
            throw new PretrainOptionException("device", $"option 'device' is {_options.Device} but libtorch sees no CUDA device; use cpu");
        var previousThreads = TorchRuntime.Threads;
        TorchRuntime.Threads = _options.Threads > 0 ? _options.Threads : Environment.ProcessorCount;
        try
        {
            return Train(device, resume, cancel);
        }
        finally
        {
            TorchRuntime.Threads = previousThreads;
        }
    }

    private PretrainResult Train(Device device, bool resume, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var o = _options;
        var preset = ClipPresets.All[o.Preset](Activation.Gelu);
        using var parallel = new DataParallelRun(Group, o);
        var loader = PretrainData.Loader(_source, o, preset, parallel.Rank, parallel.WorldSize);
        var data = PretrainData.Describe(_source);
        CheckSize(data.Samples);
        var draft = new RunConfig { Options = o, Data = data, TotalSteps = 0, WarmupSteps = 0 };
        // Rank 0 alone reads and writes the run folder; the others take its resolved length.
        RunConfig? config = null;
        if (parallel.IsMain)
        {
            config = _directory.CheckFor(draft, resume);
            if (config is null)
            {
                config = Resolve(draft, loader, device, clock, parallel.WorldSize);
                _directory.Start(config);
            }
        }
        config = parallel.AgreeOnLength(config, draft);

        using var state = TrainingState.Create(config, device, _createMethod);
        state.WorldSize = parallel.WorldSize;
        var store = new CheckpointStore(_directory.CheckpointsPath, o.KeepCheckpoints);
        if (parallel.IsMain) store.RemovePartial();
        string? resumedFrom = null;
        if (resume && parallel.AgreeOnCheckpoint(store.Latest()) is { } latest)
        {
            var manifest = TrainingCheckpoint.Load(latest.Path, state);
            state.BatchInEpoch = DataParallelRun.RederiveBatchInEpoch(manifest.BatchInEpoch, manifest.WorldSize, parallel.WorldSize);
            resumedFrom = latest.Path;
        }
        parallel.BroadcastState(state);
        _progress.Started(new PretrainStart(state.Method.Name, device.ToString(), state.Method.ParameterCount(trainableOnly: true),
            config.TotalSteps, state.Step, resumedFrom, data.Source, TorchRuntime.Threads));

        var lastCheckpoint = resumedFrom;
        var savedStep = resumedFrom is null ? -1 : state.Step;
        string Save()
        {
            if (savedStep == state.Step || !parallel.IsMain) return lastCheckpoint!;
            lastCheckpoint = store.Write(state.Step, folder => TrainingCheckpoint.Save(state, config, folder));
            savedStep = state.Step;
            _progress.Note($"checkpoint {lastCheckpoint}");
            return lastCheckpoint;
        }

        var cancelled = Loop(state, config, loader, device, clock, cancel, Save, parallel);
        if (state.Step > 0) Save();
        string? model = null;
        if (!cancelled && parallel.IsMain)
        {
            model = ExportModel(state.Method);
            _progress.Note($"model {model}");
        }
        return new PretrainResult(state.Step, config.TotalSteps, cancelled, state.SkippedSteps, lastCheckpoint, model,
            clock.Elapsed.TotalSeconds);
    }

    /// <summary>Runs steps until the end or a cancel; returns true when cancelled.</summary>
    private bool Loop(TrainingState state, RunConfig config, ImageTextLoader loader, Device device, Stopwatch clock,
        CancellationToken cancel, Func<string> save, DataParallelRun parallel)
    {
        var o = config.Options;
        var step = new TrainingStep(state, o, device, parallel.Sync);
        using var log = parallel.IsMain ? MetricsLog.Open(_directory.MetricsPath, state.Step) : null;
        using var window = new MetricsWindow();
        using var batches = BatchStream.From(loader, state.Epoch, state.BatchInEpoch, parallel.BatchesPerEpoch(_source)).GetEnumerator();
        while (state.Step < config.TotalSteps)
        {
            if (cancel.IsCancellationRequested) return true;
            batches.MoveNext();
            using (var batch = batches.Current)
            using (var result = step.Run(batch))
            {
                state.Epoch = batch.Epoch;
                state.BatchInEpoch = batch.Index + 1;
                state.Step++;
                window.Add(result);
                Guard(state, result, o.MaxBadSteps);
            }
            _progress.Stepped(state.Step, config.TotalSteps);
            if (state.Step % o.LogEvery == 0 || state.Step == config.TotalSteps)
            {
                var metrics = window.Read(state, config.TotalSteps, LogitScale(state), device, clock.Elapsed.TotalSeconds);
                log?.Write(metrics);
                _progress.Logged(metrics);
            }
            if (o.CheckpointEvery > 0 && state.Step % o.CheckpointEvery == 0) save();
        }
        return false;
    }

    private void Guard(TrainingState state, StepResult result, int maxBadSteps)
    {
        if (result.IsApplied)
        {
            state.ConsecutiveBadSteps = 0;
            return;
        }
        state.SkippedSteps++;
        state.ConsecutiveBadSteps++;
        _progress.Note($"step {state.Step} skipped: {result.BadTerm} is {result.Loss} (weights and moments left as they were)");
        if (state.ConsecutiveBadSteps >= maxBadSteps)
            throw new TrainingDivergedException(
                $"stopped at step {state.Step}: {result.BadTerm} was non-finite ({result.Loss}) for {state.ConsecutiveBadSteps} " +
                $"consecutive steps (option 'maxBadSteps'); lower 'learningRate' or check the data, then --resume from the last checkpoint",
                state.Step, result.BadTerm!);
    }

    private static double LogitScale(TrainingState state) => Math.Exp(state.Method.Model.LogitScale.Item());

    private void CheckSize(long? samples)
    {
        if (samples == 0)
            throw new InvalidDataException($"{_source.Description} has no records; check the file (and any --where filter)");
        if (samples < _options.BatchSize)
            throw new InvalidDataException($"{_source.Description} has {samples} records, fewer than one batch " +
                $"(option 'batchSize' is {_options.BatchSize}); use a smaller --batch-size");
    }

    /// <summary>Fixes the run's length: steps as given, epochs times full batches per epoch, or minutes over the timed step.</summary>
    private RunConfig Resolve(RunConfig draft, ImageTextLoader loader, Device device, Stopwatch clock, int worldSize)
    {
        var o = draft.Options;
        long total;
        if (o.Steps is { } steps) total = steps;
        else if (o.Epochs is { } epochs)
            total = Math.Max(1, (long)Math.Ceiling(epochs * (PretrainData.Count(_source) / ((long)o.BatchSize * worldSize))));
        else total = Calibrate(draft, loader, device, clock);
        var warmup = o.WarmupSteps ?? (long)Math.Round(0.05 * total);
        if (warmup > total)
            throw new PretrainOptionException("warmupSteps", $"option 'warmupSteps' must be at most the run's {total} steps; got {warmup}");
        return draft with { TotalSteps = total, WarmupSteps = warmup };
    }

    /// <summary>
    /// A minutes budget becomes a step count once: a throwaway copy of the model runs one untimed
    /// and <see cref="CalibrationSteps"/> timed steps on real batches, and the steps that fit in
    /// what is left of the budget are recorded in config.json. A resume reads that count back, so
    /// it never re-times; two fresh runs with one budget may differ in length.
    /// </summary>
    private long Calibrate(RunConfig draft, ImageTextLoader loader, Device device, Stopwatch clock)
    {
        var probe = draft with { TotalSteps = 1000, WarmupSteps = 0 };
        using var state = TrainingState.Create(probe, device, _createMethod);
        var step = new TrainingStep(state, draft.Options, device);
        var timer = new Stopwatch();
        using var batches = BatchStream.From(loader, 0, 0).GetEnumerator();
        for (var i = 0; i <= CalibrationSteps; i++)
        {
            if (i == 1) timer.Start();
            batches.MoveNext();
            using var batch = batches.Current;
            step.Run(batch).Dispose();
            state.Step++;
        }
        var perStep = timer.Elapsed.TotalSeconds / CalibrationSteps;
        var left = draft.Options.Minutes!.Value * 60 - clock.Elapsed.TotalSeconds;
        var total = Math.Max(1, (long)Math.Floor(left / perStep));
        _progress.Note($"timed {perStep:F3} s per step: {total} steps fit in {draft.Options.Minutes} min");
        return total;
    }

    /// <summary>The online CLIP in Hugging Face layout, written beside and then swapped into OUT/model.</summary>
    private string ExportModel(PretrainingMethod method)
    {
        var final = _directory.ModelPath;
        var temp = final + ".partial";
        if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
        HuggingFaceClip.Save(method.Model, temp);
        method.ExportExtras(temp);
        if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
        System.IO.Directory.Move(temp, final);
        return final;
    }

    private sealed class SilentProgress : IPretrainProgress;
}
