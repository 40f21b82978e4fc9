using System.Globalization;
using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Evaluation.FineTune;

/// <summary>
/// Layer-wise learning-rate decay as BEiT and MAE fine-tune with it: a parameter at layer l of
/// L + 1 gets the learning rate times decay^(L + 1 − l), where the patch embedding, class token,
/// positions and pre-norm are layer 0, block i is layer i + 1 and everything after the blocks
/// (final norm, projection, classifier) is layer L + 1. So the last block gets decay¹, the first
/// decay^L and the embeddings decay^(L+1), the smallest rate: early layers hold general features
/// that pretraining got right and fine-tuning should move least.
/// </summary>
public static class LayerDecay
{
    /// <summary>
    /// The layer of a vision-tower parameter name (as <see cref="VisionTransformer"/> registers
    /// them), 0 to <paramref name="depth"/> + 1. Names outside the tower (a classifier) are the top.
    /// </summary>
    public static int Layer(string name, int depth)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith("patch_embed.", StringComparison.Ordinal) || name is "cls_token" or "pos_embed"
            || name.StartsWith("norm_pre.", StringComparison.Ordinal))
            return 0;
        if (name.StartsWith("blocks.", StringComparison.Ordinal))
        {
            var rest = name["blocks.".Length..];
            var dot = rest.IndexOf('.');
            if (dot > 0 && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var block) && block < depth)
                return block + 1;
            throw new ArgumentException($"'{name}' names no block of a {depth}-block tower");
        }
        return depth + 1;
    }

    /// <summary>The learning-rate scale of a parameter: decay^(depth + 1 − layer).</summary>
    public static double Scale(string name, int depth, double decay) => Math.Pow(decay, depth + 1 - Layer(name, depth));

    /// <summary>
    /// Parameter groups of the tower and a classifier, one per (layer, weight decay or not), each
    /// with its layer's scale; weight decay follows <see cref="ParamGroup.DefaultSkipDecay"/>.
    /// The classifier's parameters are at scale 1. A decay of 1 gives every group scale 1.
    /// </summary>
    public static IReadOnlyList<ParamGroup> Groups(VisionTransformer tower, Torch.Nn.Module classifier, double decay, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(tower);
        ArgumentNullException.ThrowIfNull(classifier);
        if (!(decay > 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the layer decay must be in (0, 1]");
        var depth = tower.Options.Layers;
        var named = tower.NamedParameters().Select(p => (Layer: Layer(p.Key, depth), p.Key, p.Value))
            .Concat(classifier.NamedParameters().Select(p => (Layer: depth + 1, p.Key, p.Value)))
            .Where(p => p.Value.RequiresGrad);
        return named
            .GroupBy(p => (p.Layer, Skip: ParamGroup.DefaultSkipDecay(p.Key, p.Value)))
            .OrderBy(g => g.Key.Layer).ThenBy(g => g.Key.Skip)
            .Select(g => new ParamGroup(g.Select(p => p.Value), g.Key.Skip ? 0 : weightDecay, Math.Pow(decay, depth + 1 - g.Key.Layer)))
            .ToList();
    }
}
