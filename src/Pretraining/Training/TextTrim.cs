using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Training;

/// <summary>
/// Cuts a batch of caption rows to its longest caption. Exact for CLIP's text tower: under the
/// causal mask no position sees a later one, and pooling reads each caption's end token, so the
/// padding after the last end token never reaches an output. Emoji captions need about 25 of 77.
/// </summary>
public static class TextTrim
{
    /// <summary>
    /// ids [B, L] → [B, L'] with L' = 1 + the latest end-token position in the batch (by
    /// <paramref name="tower"/>'s own pooling rule). Run it on the loader's CPU rows, before they
    /// go to the device, so finding L' costs no device synchronisation.
    /// </summary>
    /// With <paramref name="acrossRanks"/> (a data-parallel run) L' is the longest of every rank's
    /// batch, so all ranks' shards have one length, as the global batch of one process would.
    public static Tensor ToLongest(Tensor ids, TextTransformer tower, Func<long, long>? acrossRanks = null)
    {
        using var scope = DisposeScope.Begin();
        var length = tower.EndTokenIndex(ids).Max().ItemInt64() + 1;                  // L'
        if (acrossRanks is not null) length = acrossRanks(length);
        var trimmed = length >= ids.Size(1) ? ids.Clone() : ids.Narrow(1, 0, length).Contiguous();  // [B, L']
        return trimmed.MoveToOuterScope();
    }
}
