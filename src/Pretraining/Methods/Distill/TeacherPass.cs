using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>What one <see cref="ClipTeacher.Run"/> produced; owns its tensors (no graph behind any of them).</summary>
public sealed class TeacherPass : IDisposable
{
    internal TeacherPass(IReadOnlyDictionary<int, Tensor> hidden, Tensor? clsAttention, Tensor? projected)
    {
        Hidden = hidden;
        ClsAttention = clsAttention;
        Projected = projected;
    }

    /// <summary>Hidden states by index (i = after block i), each [B, 1 + N, D] with the class token first.</summary>
    public IReadOnlyDictionary<int, Tensor> Hidden { get; }

    /// <summary>The last block's class-token attention to each patch, mean over heads [B, N]; null unless asked.</summary>
    public Tensor? ClsAttention { get; }

    /// <summary>Every token after the final LayerNorm and the projection [B, 1 + N, E]; null unless asked.</summary>
    public Tensor? Projected { get; }

    public void Dispose()
    {
        foreach (var t in Hidden.Values) t.Dispose();
        ClsAttention?.Dispose();
        Projected?.Dispose();
    }
}
