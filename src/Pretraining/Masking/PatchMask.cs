using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Masking;

/// <summary>An image's patch grid: <see cref="Rows"/> × <see cref="Cols"/> patches numbered row-major.</summary>
public readonly record struct PatchGrid(long Rows, long Cols)
{
    public long Count => Rows * Cols;

    public override string ToString() => $"{Rows}x{Cols}";
}

/// <summary>
/// Which patches of each image a masked pass keeps. Convention, for every mask in this project:
/// <b>mask: 0 = keep, 1 = remove</b>. Patches are numbered row-major over the grid.
/// Owns its tensors (outside any dispose scope); dispose it when done.
/// </summary>
public sealed class PatchMask : IDisposable
{
    /// <summary>Takes ownership of the three tensors.</summary>
    public PatchMask(Tensor visibleIds, Tensor mask, Tensor restoreIds, PatchGrid grid)
    {
        VisibleIds = visibleIds.DetachFromScope();
        Mask = mask.DetachFromScope();
        RestoreIds = restoreIds.DetachFromScope();
        Grid = grid;
    }

    /// <summary>
    /// i64 [B, K]: the kept patch numbers, in shuffled order (the encoder adds each patch's own
    /// position, so the order does not matter to it; <see cref="RestoreIds"/> undoes it).
    /// </summary>
    public Tensor VisibleIds { get; }

    /// <summary>f32 [B, N] in the original patch order: 0 = keep, 1 = remove.</summary>
    public Tensor Mask { get; }

    /// <summary>
    /// i64 [B, N]: the inverse of the shuffle. Tokens laid out as [kept K, then removed N − K]
    /// (kept in <see cref="VisibleIds"/> order) are put back in patch order by gathering with it.
    /// </summary>
    public Tensor RestoreIds { get; }

    public PatchGrid Grid { get; }

    /// <summary>Patches kept per image, K.</summary>
    public long Keep => VisibleIds.Size(1);

    public void Dispose()
    {
        VisibleIds.Dispose();
        Mask.Dispose();
        RestoreIds.Dispose();
    }
}
