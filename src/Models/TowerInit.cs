using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// CLIP's initialisation (the scheme of OpenAI's CLIP and open_clip): embeddings and projections
/// from normals scaled by 1/√width, attention and MLP weights with the residual branches scaled
/// down by 1/√(2·layers) so activations do not grow with depth, attention biases zero.
/// </summary>
internal static class TowerInit
{
    public static void Vision(VisionTransformer tower)
    {
        using var noGrad = GradMode.NoGrad();
        var scale = 1 / Math.Sqrt(tower.Options.Width);
        tower.ClsToken.Normal_(0, scale);
        tower.PosEmbed.Normal_(0, scale);
        if (tower.Head is Linear head) head.Weight.Normal_(0, scale);
        Blocks(tower.Blocks, tower.Options.Width);
    }

    public static void Text(TextTransformer tower)
    {
        using var noGrad = GradMode.NoGrad();
        tower.TokenEmbed.Weight.Normal_(0, 0.02);
        tower.PosEmbed.Normal_(0, 0.01);
        if (tower.Head is Linear head) head.Weight.Normal_(0, 1 / Math.Sqrt(tower.Options.Width));
        Blocks(tower.Blocks, tower.Options.Width);
    }

    private static void Blocks(Transformer blocks, long width)
    {
        var attnStd = 1 / Math.Sqrt(width);
        var projStd = attnStd / Math.Sqrt(2.0 * blocks.Depth);
        var fcStd = 1 / Math.Sqrt(2.0 * width);
        foreach (var block in blocks.Blocks)
        {
            foreach (var proj in new[] { block.Attn.QProj, block.Attn.KProj, block.Attn.VProj })
            {
                proj.Weight.Normal_(0, attnStd);
                proj.Bias!.Zero_();
            }
            block.Attn.OutProj.Weight.Normal_(0, projStd);
            block.Attn.OutProj.Bias!.Zero_();
            block.Mlp.Fc1.Weight.Normal_(0, fcStd);
            block.Mlp.Fc2.Weight.Normal_(0, projStd);
        }
    }
}
