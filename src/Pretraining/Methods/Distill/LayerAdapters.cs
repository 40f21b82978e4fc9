using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// MaskAlign's dynamic alignment: the student's per-block hidden states are mixed by a learnable
/// layer-mixing matrix, and each mixed state passes through its own linear adapter to the
/// teacher's width, one per aligned teacher layer. The matrix starts at I + 0.01, so at first
/// aligned layer k reads mostly student layer k (counted from the top) and a little of every
/// other. MaskAlign's code keeps an Ls × Ls matrix and Ls adapters and then weights all but
/// the top K outputs by zero; only those K rows and adapters are built here (the same function,
/// with no parameters that could never receive a gradient). Parameter names: mixing [K, Ls], adapters.{k}.
/// </summary>
public sealed class LayerAdapters : Module
{
    private readonly List<Linear> _adapters = new();

    /// <param name="studentLayers">Ls, the student's block count.</param>
    /// <param name="alignedLayers">K ≤ Ls, the top layers aligned.</param>
    /// <param name="studentWidth">The student's token width.</param>
    /// <param name="teacherWidth">The teacher's token width (the adapters' output).</param>
    public LayerAdapters(int studentLayers, int alignedLayers, long studentWidth, long teacherWidth)
    {
        if (alignedLayers < 1 || alignedLayers > studentLayers)
            throw new ArgumentOutOfRangeException(nameof(alignedLayers), alignedLayers, $"must be 1..{studentLayers}");
        StudentLayers = studentLayers;
        var rows = new float[alignedLayers * studentLayers];
        for (var k = 0; k < alignedLayers; k++)
            for (var l = 0; l < studentLayers; l++)
                rows[k * studentLayers + l] = (l == studentLayers - alignedLayers + k ? 1f : 0f) + 0.01f;
        Mixing = RegisterParameter("mixing", Tensor.FromArray(rows, alignedLayers, studentLayers));
        var adapters = Register("adapters", new NumberedModules());
        for (var k = 0; k < alignedLayers; k++) _adapters.Add(adapters.Add(new Linear(studentWidth, teacherWidth)));
    }

    public int StudentLayers { get; }

    public int AlignedLayers => _adapters.Count;

    /// <summary>[K, Ls]: row k mixes the student's layers for aligned layer k (k = 0 is the lowest of the top K).</summary>
    public Tensor Mixing { get; }

    public IReadOnlyList<Linear> Adapters => _adapters;

    /// <summary>Ls hidden states, each [B, T, D], lowest first → K predictions [B, T, teacher width], lowest first.</summary>
    public IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> studentHidden)
    {
        if (studentHidden.Count != StudentLayers)
            throw new ArgumentException($"expected {StudentLayers} hidden states, got {studentHidden.Count}", nameof(studentHidden));
        using var scope = DisposeScope.Begin();
        var shape = studentHidden[0].Shape;
        var stacked = Tensor.Stack(studentHidden, 0).Reshape(StudentLayers, -1);        // [Ls, B·T·D]
        var mixed = Mixing.MatMul(stacked);                                             // [K, B·T·D]
        var outputs = new List<Tensor>();
        for (var k = 0; k < AlignedLayers; k++)
            outputs.Add(_adapters[k].Forward(mixed.Select(0, k).View(shape)).MoveToOuterScope()); // [B, T, Dt]
        return outputs;
    }
}
