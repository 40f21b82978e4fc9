using MLNetClip.Evaluation.Embedding;
using MLNetClip.Models;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Torch;

namespace MLNetClip.Transforms.Tests;

/// <summary>
/// Models and data for the estimator tests: the shared Hugging Face fixture (32-px images, a
/// 512-token text tower), and a seeded random ViT-Micro saved as a Hugging Face folder, whose
/// text tower reads OpenAI's vocabulary (so text, zero-shot and save tests can use it).
/// </summary>
internal static class TestModels
{
    public static Device Device { get; } = Device.Parse(Environment.GetEnvironmentVariable("MLNETCLIP_TEST_DEVICE") ?? "cpu");

    public static EvaluationModel Fixture() => EvaluationModel.Load(SharedPaths.Fixture("hf_clip_tiny_a"), Device);

    /// <summary>A seeded ViT-Micro written into <paramref name="folder"/>/micro and loaded from there.</summary>
    public static EvaluationModel Micro(TempFolder folder, ulong seed = 3)
    {
        var dir = folder.File("micro");
        if (!Directory.Exists(dir))
        {
            Generator.ManualSeed(seed);
            using var clip = new Clip(ClipPresets.VitMicro() with { Text = ClipPresets.VitMicro().Text with { ContextLength = 16 } });
            HuggingFaceClip.Save(clip, dir);
        }
        return EvaluationModel.Load(dir, Device);
    }

    /// <summary>PNG files of distinct two-colour patterns, made now (nothing committed), with their captions.</summary>
    public static (List<string> Paths, List<string> Captions) Images(TempFolder folder, int count, int size = 40)
    {
        var manifest = TrainingTestData.WriteManifest(folder.File("data"), count, size);
        var root = Path.GetDirectoryName(manifest)!;
        var paths = Enumerable.Range(0, count).Select(i => Path.Combine(root, "images", $"{i:D4}.png")).ToList();
        var captions = Enumerable.Range(0, count).Select(TrainingTestData.Caption).ToList();
        return (paths, captions);
    }
}

/// <summary>One row of test input: an image path, its bytes, a caption and a label.</summary>
public sealed class ImageRow
{
    public string Path { get; set; } = "";
    public byte[] Bytes { get; set; } = [];
    public string Caption { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>One embedding read back.</summary>
public sealed class EmbeddingRow
{
    public float[] Features { get; set; } = [];
}
