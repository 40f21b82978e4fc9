using MLNetClip.Data.Images;

namespace MLNetClip.Evaluation.Segmentation;

/// <summary>One picture pasted on a collage: which sprite, its class, and the square it covers.</summary>
/// <param name="Sprite">Index of the sprite in the list the collage was built from.</param>
/// <param name="Label">The sprite's class (never <see cref="CollageOptions.BackgroundLabel"/>).</param>
/// <param name="X">Left column of the square on the canvas.</param>
/// <param name="Y">Top row of the square on the canvas.</param>
/// <param name="Side">Side of the square in canvas pixels; the sprite is scaled to it by nearest neighbour.</param>
public sealed record CollagePlacement(int Sprite, int Label, int X, int Y, int Side);

/// <summary>A canvas with pictures pasted on it and its exact label map.</summary>
/// <param name="Image">RGB pixels, <see cref="CollageOptions.CanvasSize"/> square.</param>
/// <param name="Labels">Per pixel, row-major: the class of the topmost picture whose pasted alpha is at least half, else the background label.</param>
/// <param name="Placements">The pasted pictures, bottom first.</param>
public sealed record Collage(DecodedImage Image, int[] Labels, IReadOnlyList<CollagePlacement> Placements);

/// <summary>A picture to paste (RGBA, or RGB meaning fully opaque) and its class.</summary>
public sealed record CollageSprite(DecodedImage Image, int Label);
