using System.Text.Json;
using MLNetClip.Models;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;
using static MLNetClip.Pretraining.Tests.Training.TrainingRuns;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>What the loop does around the method's loss: accumulation, the logit-scale clamp, decay groups.</summary>
public class OptimisationTests
{
    private static List<JsonElement> Metrics(string output) =>
        File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public void Micro_batches_give_the_gradient_and_loss_of_the_whole_batch()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        MethodFactory square = (model, _) => new MeanSquareMethod(model);
        var options = Flat(3) with { LogEvery = 1, GradClipNorm = 0 };

        Run(options, manifest, dir.File("one"), square);
        Run(options with { AccumulationSteps = 4 }, manifest, dir.File("four"), square);

        // Each metrics line is one step: the summed micro-batch gradients must have the whole batch's norm (not 4×).
        foreach (var (one, four) in Metrics(dir.File("one")).Zip(Metrics(dir.File("four"))))
        {
            var norm = one.GetProperty("gradNorm").GetDouble();
            Assert.Equal(1, four.GetProperty("gradNorm").GetDouble() / norm, 5);
            Assert.Equal(one.GetProperty("SquareLoss").GetDouble(), four.GetProperty("SquareLoss").GetDouble(), 4);
        }
        using var a = SafeTensors.Load(Path.Combine(dir.File("one"), "checkpoints", CheckpointStore.NameOf(3), "method.safetensors"));
        using var b = SafeTensors.Load(Path.Combine(dir.File("four"), "checkpoints", CheckpointStore.NameOf(3), "method.safetensors"));
        // Adam's first steps move each element by about ±lr whatever its gradient's size, so an element whose
        // gradient is rounding noise may go either way: compare whole tensors. Key biases are left out
        // altogether: softmax ignores them, so all of their gradient is such noise.
        foreach (var (name, t) in a.Tensors.Where(t => !t.Key.EndsWith("k_proj.bias", StringComparison.Ordinal)))
        {
            using var scope = DisposeScope.Begin();
            Assert.True((t - b[name]).Norm().Item() <= 1e-3 * t.Norm().Item(), name);
        }
    }

    [Fact]
    public void The_logit_scale_parameter_is_clamped_at_ln_100_after_each_step()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        // A loss that only rewards a larger scale, and steps far larger than the gap to the cap.
        var result = Run(Flat(3) with { LearningRate = 2, MinLearningRate = 2, LogEvery = 1 }, manifest, dir.File("run"),
            (model, _) => new LogitPushMethod(model));

        var saved = Tensors(Path.Combine(result.LastCheckpoint!, "method.safetensors"));
        Assert.Equal((float)Math.Log(100), BitConverter.ToSingle(saved["model.logit_scale"]));
        Assert.All(Metrics(dir.File("run")), line => Assert.Equal(100, line.GetProperty("logitScale").GetDouble(), 4));
    }

    [Fact]
    public void Weight_matrices_decay_and_biases_gains_embeddings_and_the_logit_scale_do_not()
    {
        using var dir = new TempFolder();
        var manifest = TrainingTestData.WriteManifest(dir.Path, 40);
        // The loss is zero with zero gradients, so only decoupled decay moves anything: p ← p·(1 − lr·wd).
        var options = Flat(1) with { LearningRate = 0.1, MinLearningRate = 0.1, WeightDecay = 0.5, GradClipNorm = 0 };
        var result = Run(options, manifest, dir.File("run"), (model, _) => new ZeroLossMethod(model));

        using var initial = InitialState(options);
        var saved = Tensors(Path.Combine(result.LastCheckpoint!, "method.safetensors"));
        string[] decayed = ["visual.blocks.0.attn.q_proj.weight", "visual.blocks.1.mlp.fc1.weight", "visual.head.weight", "text.head.weight",
            "text.blocks.0.attn.out_proj.weight"];
        string[] kept = ["visual.blocks.0.mlp.fc1.bias", "visual.norm.weight", "text.blocks.1.norm2.weight", "text.token_embed.weight",
            "text.pos_embed", "visual.pos_embed", "visual.cls_token", "visual.patch_embed.proj.weight", "logit_scale"];
        foreach (var name in decayed.Concat(kept))
        {
            var before = initial["model." + name].ToArray<float>();
            var after = new float[before.Length];
            Buffer.BlockCopy(saved["model." + name], 0, after, 0, saved["model." + name].Length);
            var factor = decayed.Contains(name) ? 1 - 0.1f * 0.5f : 1f;
            Assert.True(before.Zip(after).All(p => Math.Abs(p.First * factor - p.Second) <= 1e-6f * Math.Abs(p.First) + 1e-9f), name);
            Assert.Contains(before, v => v != 0);
        }
    }

    private static StateDictHandle InitialState(PretrainOptions options)
    {
        var config = new RunConfig { Options = options, Data = new DataDescription { Source = "none" }, TotalSteps = 1, WarmupSteps = 0 };
        using var state = TrainingState.Create(config, Device.Cpu, (model, _) => new ZeroLossMethod(model));
        return new StateDictHandle(state.Method.StateDict().ToDictionary(p => p.Key, p => p.Value.Clone().DetachFromScope()));
    }
}

/// <summary>State-dict tensors that are disposed together.</summary>
internal sealed class StateDictHandle(Dictionary<string, Tensor> tensors) : Dictionary<string, Tensor>(tensors), IDisposable
{
    public void Dispose()
    {
        foreach (var t in Values) t.Dispose();
    }
}

/// <summary>A loss of exactly zero with a (zero) gradient for every parameter, so only weight decay moves them.</summary>
internal sealed class ZeroLossMethod(Clip model) : MLNetClip.Pretraining.Methods.PretrainingMethod(model)
{
    public override string Name => "zero";

    public override LossTerms Forward(MLNetClip.Pretraining.Methods.PretrainBatch batch, MLNetClip.Pretraining.Methods.StepContext context)
    {
        using var scope = DisposeScope.Begin();
        var total = Model.EncodeImage(batch.Images).Sum() * 0 + Model.EncodeText(batch.TokenIds).Sum() * 0 + Model.LogitScale * 0;
        var terms = new LossTerms();
        terms.Add("ZeroLoss", total);
        return terms;
    }
}
