using System.Text.Json;
using MLNetClip.Models;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;
using static MLNetClip.Pretraining.Tests.Training.TrainingRuns;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>The loop end to end on ViT-Micro: what it writes, how it resumes, how long it runs.</summary>
public class PretrainerTests
{
    [Fact]
    public void A_run_leaves_config_metrics_checkpoints_and_a_loadable_model()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        var output = dir.File("run");
        var progress = new RecordingProgress();
        var options = Micro(6) with { CheckpointEvery = 2, KeepCheckpoints = 2, WarmupSteps = 2 };

        var live = LiveTensors.Baseline();
        var result = Run(options, manifest, output, progress: progress);

        Assert.Equal(live, Tensor.LiveCount);  // every batch, intermediate, state dict and term was freed
        Assert.Equal((6, 6, false, 0L), (result.Steps, result.TotalSteps, result.Cancelled, result.SkippedSteps));
        var config = RunConfig.FromJson(File.ReadAllText(Path.Combine(output, "config.json")), "config.json");
        Assert.Equal((6L, 2L, options), (config.TotalSteps, config.WarmupSteps, config.Options));
        Assert.Equal(40, config.Data.Samples);
        Assert.Equal(["step-00000004", "step-00000006"], Directory.GetDirectories(Path.Combine(output, "checkpoints")).Select(Path.GetFileName).Order());

        // One metrics line per LogEvery steps, with the learning rate the schedule gives the step just taken.
        var schedule = new CosineSchedule(options.LearningRate, 2, 6);
        var lines = File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2L, 4L, 6L], lines.Select(l => l.GetProperty("step").GetInt64()));
        foreach (var line in lines)
        {
            var step = line.GetProperty("step").GetInt64();
            Assert.Equal(schedule.At(step - 1), line.GetProperty("lr").GetDouble(), 12);
            Assert.True(line.GetProperty("ContrastiveLoss").GetDouble() > 0);
            Assert.Equal(line.GetProperty("ContrastiveLoss").GetDouble(), line.GetProperty("loss").GetDouble(), 5);
            Assert.InRange(line.GetProperty("logitScale").GetDouble(), 1, 100);
            Assert.True(line.GetProperty("imagesPerSecond").GetDouble() > 0);
            Assert.True(line.GetProperty("peakMemoryBytes").GetInt64() > 10_000_000);
            Assert.Equal("rss", line.GetProperty("memory").GetString());
            Assert.Equal(0, line.GetProperty("skippedSteps").GetInt64());
        }
        Assert.Equal(3, progress.Metrics.Count);

        // The exported model is the checkpoint's online CLIP, under Hugging Face names, loadable as is.
        using var model = HuggingFaceClip.Load(Path.Combine(output, "model"));
        var saved = Tensors(Path.Combine(result.LastCheckpoint!, "method.safetensors"));
        foreach (var (name, tensor) in model.StateDict())
            using (tensor)
                Assert.True(saved["model." + name].AsSpan().SequenceEqual(tensor.ToBytes()), name);
    }

    [Fact]
    public void A_cancelled_run_resumed_mid_epoch_ends_bit_identical_with_every_random_stream_in_use()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        MethodFactory noisy = (model, _) => new HookedClipMethod(model) { Noise = true };
        // 7 steps over 5 batches an epoch: the cut at step 3 is mid-epoch and the resume crosses into epoch 1.
        var options = Micro(7) with { CheckpointEvery = 0 };
        var threads = TorchRuntime.Threads;

        var whole = Run(options, manifest, dir.File("whole"), noisy);
        using var cancel = new CancellationTokenSource();
        var cut = Run(options, manifest, dir.File("cut"), noisy, progress: new CancelAfter(3, cancel), cancel: cancel.Token);
        Assert.True(cut.Cancelled);
        Assert.Equal(3, cut.Steps);
        Assert.False(Directory.Exists(dir.File("cut", "model")));
        var manifestAtCut = TrainingCheckpoint.ReadManifest(cut.LastCheckpoint!);
        Assert.Equal((0, 3), (manifestAtCut.Epoch, manifestAtCut.BatchInEpoch));

        var resumed = Run(options, manifest, dir.File("cut"), noisy, resume: true);

        Assert.Equal(7, resumed.Steps);
        AssertSameTensors(Path.Combine(whole.LastCheckpoint!, "method.safetensors"), Path.Combine(resumed.LastCheckpoint!, "method.safetensors"));
        AssertSameTensors(Path.Combine(whole.LastCheckpoint!, "optimizer.safetensors"), Path.Combine(resumed.LastCheckpoint!, "optimizer.safetensors"));
        Assert.Equal(TrainingCheckpoint.ReadManifest(whole.LastCheckpoint!).MaskGeneratorState,
            TrainingCheckpoint.ReadManifest(resumed.LastCheckpoint!).MaskGeneratorState);
        Assert.Equal(File.ReadAllBytes(dir.File("whole", "model", "model.safetensors")), File.ReadAllBytes(dir.File("cut", "model", "model.safetensors")));
        // The metrics log continues without repeating a step.
        Assert.Equal([2L, 4L, 6L, 7L], File.ReadAllLines(dir.File("cut", "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()));
        Assert.Equal(threads, TorchRuntime.Threads);

        // The noise matters: another seed for it gives other weights, so the comparison above can fail.
        var other = Run(options with { Seed = 4 }, manifest, dir.File("other"), noisy);
        Assert.NotEqual(File.ReadAllBytes(dir.File("whole", "model", "model.safetensors")), File.ReadAllBytes(dir.File("other", "model", "model.safetensors")));
    }

    [Fact]
    public void Resuming_with_other_settings_lists_each_differing_key_and_a_fresh_run_refuses_a_used_folder()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 24);
        var output = dir.File("run");
        Run(Micro(1), manifest, output);

        var changed = Micro(1) with { LearningRate = 0.002, BatchSize = 4, Workers = 2, MaskClip = new() { MaskRatio = 0.5 } };
        var e = Assert.Throws<InvalidDataException>(() => Run(changed, manifest, output, resume: true));
        Assert.Contains("options.batchSize: 8 → 4", e.Message);
        Assert.Contains("options.learningRate: 0.001 → 0.002", e.Message);
        Assert.Contains("options.maskClip.maskRatio: 0.75 → 0.5", e.Message);
        Assert.DoesNotContain("workers", e.Message);  // speed only: free to change

        var fresh = Assert.Throws<IOException>(() => Run(Micro(1), manifest, output));
        Assert.Contains("already holds a run", fresh.Message);
        Assert.Contains("--resume", fresh.Message);

        File.WriteAllText(dir.File("notes.txt"), "mine");
        var foreign = Assert.Throws<IOException>(() => Run(Micro(1), manifest, dir.Path));
        Assert.Contains("not empty and holds no run", foreign.Message);
    }

    [Fact]
    public void Epochs_become_whole_batches_times_epochs_and_a_minutes_budget_is_timed_once_and_kept()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 44);  // 5 full batches of 8; 4 left over

        var epochs = Run(Micro(1) with { Steps = null, Epochs = 1.5 }, manifest, dir.File("epochs"));
        Assert.Equal(8, epochs.TotalSteps);  // ⌈1.5 × 5⌉

        var progress = new RecordingProgress();
        var timed = Run(Micro(1) with { Steps = null, Minutes = 0.03 }, manifest, dir.File("timed"), progress: progress);
        var recorded = RunConfig.FromJson(File.ReadAllText(dir.File("timed", "config.json")), "config.json").TotalSteps;
        Assert.Equal(recorded, timed.TotalSteps);
        Assert.Equal(recorded, timed.Steps);
        Assert.Contains(progress.Notes, n => n.StartsWith("timed ", StringComparison.Ordinal));
        // A resume takes the recorded count and does not time again.
        var again = new RecordingProgress();
        var resumed = Run(Micro(1) with { Steps = null, Minutes = 0.03 }, manifest, dir.File("timed"), resume: true, progress: again);
        Assert.Equal(recorded, resumed.TotalSteps);
        Assert.DoesNotContain(again.Notes, n => n.StartsWith("timed ", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_little_data_fails_naming_the_source_and_the_batch_size()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 5);
        var e = Assert.Throws<InvalidDataException>(() => Run(Micro(1), manifest, dir.File("run")));
        Assert.Contains("has 5 records, fewer than one batch (option 'batchSize' is 8)", e.Message);
        Assert.Contains(manifest, e.Message);
    }
}
