using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Models;

/// <summary>
/// Cuts an image into non-overlapping patches and projects each to a token: a convolution whose
/// kernel and stride are the patch size, without bias (as in CLIP). Patches are numbered row-major.
/// </summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    private readonly long _patch;
    private readonly long _channels;

    public PatchEmbed(long patchSize, long channels, long width)
    {
        _patch = patchSize;
        _channels = channels;
        Proj = Register("proj", new Conv2d(channels, width, patchSize, stride: (int)patchSize, bias: false));
    }

    public Conv2d Proj { get; }

    public long PatchSize => _patch;

    /// <summary>Patch rows and columns for an image of the given size; it must tile exactly.</summary>
    public (long Rows, long Cols) Grid(long height, long width)
    {
        if (height % _patch != 0 || width % _patch != 0)
            throw new ArgumentException($"image {height}x{width} is not a multiple of the patch size {_patch}");
        return (height / _patch, width / _patch);
    }

    /// <summary>images [B, C, H, W] → tokens [B, N, D], N = (H/p)·(W/p).</summary>
    public override Tensor Forward(Tensor images)
    {
        CheckImages(images);
        using var scope = DisposeScope.Begin();
        var maps = Proj.Forward(images);                                                // [B, D, H/p, W/p]
        return maps.Flatten(2).Transpose(1, 2).MoveToOuterScope();                      // [B, N, D]
    }

    /// <summary>
    /// Tokens for the chosen patches only, ids [B, K] (row-major patch numbers), → [B, K, D].
    /// The unchosen patches are never projected: pixels are gathered first, then multiplied by the
    /// convolution kernel laid out as a matrix (the same arithmetic as the convolution).
    /// </summary>
    public Tensor ForwardVisible(Tensor images, Tensor ids)
    {
        var (rows, cols) = CheckImages(images);
        using var scope = DisposeScope.Begin();
        var b = images.Size(0);
        var pixelsPerPatch = _channels * _patch * _patch;
        var patches = images.Reshape(b, _channels, rows, _patch, cols, _patch)           // [B, C, gh, p, gw, p]
            .Permute(0, 2, 4, 1, 3, 5)                                                  // [B, gh, gw, C, p, p]
            .Reshape(b, rows * cols, pixelsPerPatch);                                   // [B, N, C·p·p]
        var index = ids.Unsqueeze(-1).Expand(ids.Size(0), ids.Size(1), pixelsPerPatch); // [B, K, C·p·p]
        var chosen = patches.Gather(1, index);                                          // [B, K, C·p·p]
        var kernel = Proj.Weight.Reshape(Proj.Weight.Size(0), pixelsPerPatch);          // [D, C·p·p]
        return F.Linear(chosen, kernel).MoveToOuterScope();                             // [B, K, D]
    }

    private (long Rows, long Cols) CheckImages(Tensor images)
    {
        var shape = images.Shape;
        if (shape.Length != 4 || shape[1] != _channels)
            throw new ArgumentException($"expected images [B, {_channels}, H, W], got [{string.Join(", ", shape)}]", nameof(images));
        return Grid(shape[2], shape[3]);
    }
}
