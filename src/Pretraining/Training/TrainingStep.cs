using MLNetClip.Data.Loading;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// One optimisation step: the batch in <c>AccumulationSteps</c> micro-batches (each loss scaled
/// by 1/A so the gradients sum to the batch mean), global-norm clipping, then the NaN guard and
/// either an AdamW update (logit scale clamped at ln 100, then the method's AfterStep) or a skip
/// that leaves weights and moments untouched.
///
/// <para><b>Host synchronisation.</b> Nothing in the step waits for the device except the guard:
/// the clipped norm comes back as a double (the clip itself stays on the device), and the loss
/// total is read right after it, when the device is already idle, so it adds no stall. Every other
/// term stays on the device until the metrics read-back every LogEvery steps.</para>
/// </summary>
internal sealed class TrainingStep(TrainingState state, PretrainOptions options, Device device, GradientSync? sync = null)
{
    /// <summary>Runs the step for <paramref name="batch"/> (a full batch on the CPU).</summary>
    public StepResult Run(LoaderBatch batch)
    {
        var context = state.Context;
        context.Step = state.Step;
        Generator.ManualSeed(Seeds.Step(options.Seed, state.Step));
        var learningRate = state.Schedule.At(state.Step);
        state.Optimizer.LearningRate = learningRate;
        state.Optimizer.ZeroGrad();

        var terms = new Dictionary<string, Tensor>();
        try
        {
            var parts = options.AccumulationSteps;
            var micro = batch.Count / parts;
            for (var m = 0; m < parts; m++) Accumulate(batch, m * micro, micro, parts, terms, last: m == parts - 1);
            // Data parallel: every rank leaves with the ranks' mean gradient and terms, so the guard
            // and the update below decide the same on every rank.
            sync?.AverageGradients(state.Trainable);
            sync?.AverageTerms(terms);

            // Clipping off still measures the norm (the guard needs it); a factor of 1 leaves gradients bit-identical.
            var norm = GradientUtils.ClipGradNorm(state.Trainable, options.GradClipNorm > 0 ? options.GradClipNorm : double.PositiveInfinity);
            var loss = TotalLoss(terms);
            if (!double.IsFinite(loss) || !double.IsFinite(norm))
            {
                state.Optimizer.ZeroGrad();
                var (name, value) = FirstNonFinite(terms, norm);
                return StepResult.Skipped(learningRate, GlobalCount(batch), name, value, terms);
            }
            state.Optimizer.Step();
            ClampLogitScale(state.Method.Model);
            state.Method.AfterStep(context);
            return StepResult.Applied(learningRate, GlobalCount(batch), norm, loss, terms);
        }
        catch
        {
            foreach (var t in terms.Values) t.Dispose();
            throw;
        }
    }

    private void Accumulate(LoaderBatch batch, int start, int count, int parts, Dictionary<string, Tensor> terms, bool last)
    {
        using var scope = DisposeScope.Begin();
        using var input = Slice(batch, start, count);
        LossTerms loss;
        // Forward under bf16 autocast on CUDA; backward outside it, as autocast expects.
        using (device.IsCuda && options.Bf16 ? new Autocast(DeviceType.Cuda) : null)
        using (BatchShard.Use(sync?.Shard))
            loss = state.Method.Forward(input, state.Context);
        using (loss)
        {
            if (last) sync?.BeforeLastBackward(state.Trainable);
            (parts == 1 ? loss.Total : loss.Total / parts).Backward();
            foreach (var (name, value) in loss.Terms)
            {
                var part = value.Detach().To(ScalarType.Float32) / parts;                 // 0-d
                var sum = terms.TryGetValue(name, out var previous) ? previous + part : part;
                previous?.Dispose();
                terms[name] = sum.DetachFromScope();
            }
        }
    }

    private PretrainBatch Slice(LoaderBatch batch, int start, int count)
    {
        using var scope = DisposeScope.Begin();
        var ids = batch.TokenIds.Narrow(0, start, count);                                 // [b, 77]
        if (options.TrimText) ids = TextTrim.ToLongest(ids, state.Method.Model.Text, sync is null ? null : sync.Max); // [b, L']
        var images = batch.Images.Narrow(0, start, count).To(device).DetachFromScope();   // [b, 3, S, S]
        var tokens = ids.To(device).DetachFromScope();                                    // [b, L']
        if (batch.Views is null) return new PretrainBatch(images, tokens);
        var views = batch.Views.Narrow(0, start, count).To(device).DetachFromScope();     // [b, 3, 3, S, S]
        var boxes = batch.ViewBoxes!.Narrow(0, start, count).Contiguous().DetachFromScope(); // [b, 3, 4] CPU
        return new PretrainBatch(images, tokens, views, boxes);
    }

    // The samples this step trained on over every rank, so images per second is the run's throughput.
    private int GlobalCount(LoaderBatch batch) => batch.Count * (sync?.Group.WorldSize ?? 1);

    private static double TotalLoss(Dictionary<string, Tensor> terms)
    {
        using var scope = DisposeScope.Begin();
        var losses = terms.Where(t => IsLoss(t.Key)).Select(t => t.Value).ToList();
        if (losses.Count == 0) throw new InvalidOperationException("the method returned no term named *Loss to optimise");
        var total = losses[0].View([]);
        for (var i = 1; i < losses.Count; i++) total = total + losses[i];
        return total.Item();
    }

    // Only on the bad path: read each optimised term to name the culprit.
    private static (string Name, double Value) FirstNonFinite(Dictionary<string, Tensor> terms, double norm)
    {
        foreach (var (name, value) in terms.Where(t => IsLoss(t.Key)))
        {
            var v = value.Item();
            if (!double.IsFinite(v)) return (name, v);
        }
        return ("gradient norm", norm);
    }

    private static bool IsLoss(string name) => name.EndsWith("Loss", StringComparison.Ordinal);

    // open_clip clamps the parameter itself after each update, so it cannot drift far past the cap.
    private static void ClampLogitScale(Clip model)
    {
        using var noGrad = GradMode.NoGrad();
        model.LogitScale.Clamp_(0, Math.Log(Clip.MaxLogitScale));
    }
}
