using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Pretraining.Tests.Methods;

/// <summary>
/// The smallest training step a method needs, as the loop will run it: Forward → Total.Backward →
/// global-norm clip → AdamW (decay groups) → AfterStep. The loop helper may switch tests to the real loop.
/// </summary>
internal sealed class MethodHarness : IDisposable
{
    public MethodHarness(PretrainingMethod method, long totalSteps, double learningRate, double weightDecay = 0.1, ulong maskSeed = 7)
    {
        Method = method;
        Context = new StepContext(new Generator(maskSeed, TestDevice.Current), TestDevice.Current, totalSteps);
        Optimizer = new AdamW(ParamGroup.ForWeightDecay(method, weightDecay), learningRate, beta2: 0.98, eps: 1e-6);
    }

    public static readonly string[] AllMethods = [ClipMethod.MethodName, MaskClipMethod.MethodName, MaskClipEfficientMethod.MethodName];

    public PretrainingMethod Method { get; }
    public StepContext Context { get; }
    public AdamW Optimizer { get; }

    public static PretrainingMethod Create(string name, Clip model, MaskClipOptions? options = null, AClipOptions? aClip = null) =>
        PretrainingMethods.Create(name, model, new PretrainOptions { Method = name, MaskClip = options ?? new MaskClipOptions(), AClip = aClip ?? new AClipOptions() });

    /// <summary>One optimisation step; returns nothing so no value is read back from the device.</summary>
    public void Step(PretrainBatch batch, double clipNorm = 1.0)
    {
        using (var terms = Method.Forward(batch, Context))
            terms.Total.Backward();
        GradientUtils.ClipGradNorm(Method.Parameters().Where(p => p.RequiresGrad), clipNorm);
        Optimizer.Step();
        Optimizer.ZeroGrad();
        Method.AfterStep(Context);
        Context.Step++;
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Context.Generator.Dispose();
        Method.Dispose();
    }
}
