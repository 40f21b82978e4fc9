using System.Text.Json;
using MLNetClip.Pretraining.Training;
using static MLNetClip.Pretraining.Tests.Training.TrainingRuns;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>The NaN/inf guard: a bad step changes nothing but a counter; enough of them in a row stop the run.</summary>
public class NanGuardTests
{
    [Fact]
    public void A_nan_step_is_skipped_and_counted_leaving_weights_and_adam_moments_untouched()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        MethodFactory clean = (model, _) => new HookedClipMethod(model);
        MethodFactory poisoned = (model, _) => new HookedClipMethod(model) { Poison = step => step == 3 ? double.NaN : null };

        var three = Run(Flat(3), manifest, dir.File("three"), clean);
        var progress = new RecordingProgress();
        var withBadFourth = Run(Flat(4) with { LogEvery = 1 }, manifest, dir.File("bad"), poisoned, progress: progress);

        Assert.Equal(1, withBadFourth.SkippedSteps);
        // After the skipped step the weights and both AdamW moments (and its update count) are those of three clean steps.
        AssertSameTensors(Path.Combine(three.LastCheckpoint!, "method.safetensors"), Path.Combine(withBadFourth.LastCheckpoint!, "method.safetensors"));
        AssertSameTensors(Path.Combine(three.LastCheckpoint!, "optimizer.safetensors"), Path.Combine(withBadFourth.LastCheckpoint!, "optimizer.safetensors"));
        Assert.Equal(1, TrainingCheckpoint.ReadManifest(withBadFourth.LastCheckpoint!).SkippedSteps);
        var last = JsonDocument.Parse(File.ReadAllLines(dir.File("bad", "metrics.jsonl"))[^1]).RootElement;
        Assert.Equal((4L, 1L), (last.GetProperty("step").GetInt64(), last.GetProperty("skippedSteps").GetInt64()));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("loss").ValueKind);  // nothing applied in that window
        Assert.Contains(progress.Notes, n => n.StartsWith("step 4 skipped: ContrastiveLoss is NaN", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_steps_apart_are_each_skipped_and_the_run_goes_on()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        MethodFactory poisoned = (model, _) => new HookedClipMethod(model) { Poison = step => step is 1 or 3 ? double.PositiveInfinity : null };

        var result = Run(Flat(5) with { MaxBadSteps = 2 }, manifest, dir.File("run"), poisoned);

        Assert.Equal((5L, 2L, false), (result.Steps, result.SkippedSteps, result.Cancelled));
        Assert.True(File.Exists(dir.File("run", "model", "model.safetensors")));
    }

    [Fact]
    public void K_consecutive_bad_steps_stop_the_run_naming_the_step_and_the_term()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        MethodFactory poisoned = (model, _) => new HookedClipMethod(model) { Poison = step => step >= 2 ? double.PositiveInfinity : null };

        var e = Assert.Throws<TrainingDivergedException>(() => Run(Flat(10) with { MaxBadSteps = 3 }, manifest, dir.File("run"), poisoned));

        Assert.Equal((5L, "ContrastiveLoss"), (e.Step, e.Term));  // steps 3, 4 and 5 (1-based) were bad
        Assert.StartsWith("stopped at step 5: ContrastiveLoss was non-finite (Infinity) for 3 consecutive steps", e.Message);
        Assert.False(Directory.Exists(dir.File("run", "model")));
    }

    [Fact]
    public void A_finite_loss_with_a_nan_gradient_is_caught_as_the_gradient_norm()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        MethodFactory kinked = (model, _) => new HookedClipMethod(model) { PoisonGradient = step => step == 1 };

        var e = Assert.Throws<TrainingDivergedException>(() => Run(Flat(4) with { MaxBadSteps = 1 }, manifest, dir.File("run"), kinked));

        Assert.Equal((2L, "gradient norm"), (e.Step, e.Term));
    }
}
