using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods;

/// <summary>What a method sees of the loop besides the batch.</summary>
public sealed class StepContext
{
    public StepContext(Generator generator, Device device, long totalSteps)
    {
        Generator = generator;
        Device = device;
        TotalSteps = totalSteps;
    }

    /// <summary>0-based optimisation step being computed (the loop advances it).</summary>
    public long Step { get; set; }

    /// <summary>The planned number of optimisation steps (schedules follow it).</summary>
    public long TotalSteps { get; }

    /// <summary>
    /// The method's own random stream (masks), on <see cref="Device"/>. Its state is checkpointed
    /// with the run, so a resumed run draws the same masks.
    /// </summary>
    public Generator Generator { get; }

    public Device Device { get; }
}
