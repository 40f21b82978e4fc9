using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>A container that registers its children as 0, 1, … (their checkpoint keys), in order.</summary>
internal sealed class NumberedModules : Module
{
    private int _count;

    public T Add<T>(T module) where T : Module => Register((_count++).ToString(System.Globalization.CultureInfo.InvariantCulture), module);
}
