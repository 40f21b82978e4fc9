using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Pretraining.Methods.Distill;

/// <summary>
/// A frozen CLIP image tower that supplies targets: always in eval mode, its parameters never
/// require gradients, and every pass runs under no-grad. Only the vision tower is used; the text
/// tower is kept (a Hugging Face folder holds both) but never run. Registered as a submodule, its
/// weights travel in checkpoints. Parameter names: model.* (a <see cref="Clip"/>).
///
/// <para><b>A grid other than the student's.</b> As MaskAlign does for CLIP-L/14 under a /16 student
/// (its input shrunk from 224 to 196 px so that both see 14×14 patches), the teacher's input is
/// resized bicubically to <c>grid × its own patch size</c> and its position table is resized to the
/// grid (<see cref="VisionTransformer.PatchPositions"/>), so every teacher map lines up with the
/// student's patches one to one.</para>
/// </summary>
public sealed class ClipTeacher : Module
{
    public ClipTeacher(Clip model)
    {
        Model = Register("model", model);
        Model.Freeze();
        base.Train(false);
    }

    /// <summary>
    /// Loads the image tower of the CLIP in <paramref name="directory"/> (a Hugging Face CLIP folder,
    /// or a pretraining run or its model/ folder); anything else fails with one line naming it.
    /// </summary>
    public static ClipTeacher Load(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"teacher folder '{directory}' does not exist; give a Hugging Face CLIP folder " +
                $"({HuggingFaceClip.ConfigFile} + {HuggingFaceClip.WeightsFile}) or a pretraining run's model/ folder");
        var nested = Path.Combine(full, "model");
        if (!File.Exists(Path.Combine(full, HuggingFaceClip.WeightsFile)) && File.Exists(Path.Combine(nested, HuggingFaceClip.WeightsFile)))
            full = nested;
        Clip clip;
        try
        {
            clip = HuggingFaceClip.Load(full);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or System.Text.Json.JsonException
            or KeyNotFoundException or ArgumentException or SafeTensorsException or StateDictException or CheckpointMismatchException)
        {
            throw new InvalidDataException($"teacher '{directory}' is not a CLIP vision tower: {FirstLine(e.Message)}", e);
        }
        return new ClipTeacher(clip);
    }

    public Clip Model { get; }

    public VisionTransformer Visual => Model.Visual;

    public int Depth => Visual.Blocks.Depth;

    public long Width => Visual.Options.Width;

    /// <summary>Width of the projected features (the joint embedding), or <see cref="Width"/> for an unprojected tower.</summary>
    public long ProjectedWidth => Visual.Head is Linear head ? head.Weight.Size(0) : Width;

    /// <summary>The teacher stays in eval mode whatever its owner is switched to.</summary>
    public override Module Train(bool training = true) => base.Train(false);

    /// <summary>
    /// One no-grad pass over <paramref name="images"/> [B, 3, H, W] seen on <paramref name="grid"/>.
    /// <paramref name="layers"/> are hidden-state indices (1 = after the first block, Depth = the last);
    /// <paramref name="lastAttention"/> adds the last block's class-token attention to the patches
    /// (mean over heads); <paramref name="projected"/> adds every token's projected feature.
    /// </summary>
    public TeacherPass Run(Tensor images, PatchGrid grid, IReadOnlyCollection<int> layers, bool lastAttention = false, bool projected = false)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = DisposeScope.Begin();
        var input = Fit(images, grid);                                                  // [B, 3, rows·p, cols·p]
        var keep = new HashSet<int>(layers);
        if (lastAttention) keep.Add(Depth - 1);
        using var encoding = Visual.Encode(input, keepHidden: keep);
        var hidden = layers.Distinct().ToDictionary(l => l, l => encoding.Hidden[l].View(encoding.Hidden[l].Shape).DetachFromScope());
        Tensor? attention = null;
        if (lastAttention)
        {
            var (_, weights) = Visual.Blocks.Blocks[Depth - 1].ForwardWithWeights(encoding.Hidden[Depth - 1]); // [B, H, T, T]
            attention = weights.Mean(1).Select(1, 0).Narrow(1, 1, grid.Count).DetachFromScope();              // [B, N]
        }
        Tensor? features = null;
        if (projected)
            features = Visual.Head.Forward(Visual.Norm.Forward(encoding.LastHiddenState)).DetachFromScope();    // [B, 1 + N, E]
        return new TeacherPass(hidden, attention, features);
    }

    // Resizes the input so the teacher's patch grid is the student's (MaskAlign's way, see the summary).
    private Tensor Fit(Tensor images, PatchGrid grid)
    {
        var p = Visual.Options.PatchSize;
        long height = grid.Rows * p, width = grid.Cols * p;
        return images.Size(2) == height && images.Size(3) == width ? images : F.InterpolateBicubic(images, height, width);
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
