using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Distill;

/// <summary>The frozen-teacher methods built directly on ViT-Micro towers, and a small VQ-KD tokenizer for beitv2.</summary>
internal static class DistillMethods
{
    public static readonly string[] TeacherMethods = [MaskDistillMethod.MethodName, MilanMethod.MethodName, MaskAlignMethod.MethodName, VqkdMethod.MethodName];

    /// <summary>A ViT-Micro teacher from its own seed (a random CLIP still gives fixed, image-dependent targets).</summary>
    public static ClipTeacher Teacher(ulong seed = 11)
    {
        Generator.ManualSeed(seed);
        return new ClipTeacher(new Clip(ClipPresets.VitMicro()));
    }

    public static Clip Student(ulong seed = 0)
    {
        Generator.ManualSeed(seed);
        return new Clip(ClipPresets.VitMicro());
    }

    /// <summary>The named method on a fresh ViT-Micro student; beitv2 reads the tokenizer in <paramref name="tokenizer"/>.</summary>
    public static TeacherDistillMethod Create(string name, DistillOptions options, string? tokenizer = null)
    {
        var student = Student();
        TeacherDistillMethod method = name switch
        {
            MaskDistillMethod.MethodName => new MaskDistillMethod(student, options, Teacher()),
            MilanMethod.MethodName => new MilanMethod(student, options, Teacher()),
            MaskAlignMethod.MethodName => new MaskAlignMethod(student, options, Teacher()),
            VqkdMethod.MethodName => new VqkdMethod(student, options, Teacher()),
            BeitV2Method.MethodName => new BeitV2Method(student, options, VqkdTokenizer.Load(tokenizer!)),
            _ => throw new ArgumentException(name),
        };
        method.To(TestDevice.Current);
        return method;
    }

    /// <summary>
    /// A VQ-KD tokenizer written to <paramref name="folder"/> the way a vqkd run exports it: an
    /// untrained ViT-Micro encoder whose 64 codes were seeded from the images by one training
    /// batch (every code starts dead, so the first update moves each onto an encoder output).
    /// </summary>
    public static void WriteTokenizer(string folder, Tensor images)
    {
        using var vqkd = (VqkdMethod)Create(VqkdMethod.MethodName, new DistillOptions { CodebookSize = 64 });
        using var generator = new Generator(3, TestDevice.Current);
        var context = new StepContext(generator, TestDevice.Current, 1);
        using (var batch = Batch(images))
        using (var terms = vqkd.Forward(batch, context)) { }
        HuggingFaceClip.Save(vqkd.Model, folder);
        vqkd.ExportExtras(folder);
    }

    /// <summary>A batch of images (the captions are never read by these methods).</summary>
    public static PretrainBatch Batch(Tensor images)
    {
        var ids = Tensor.Zeros([images.Size(0), 2], ScalarType.Int64, TestDevice.Current);
        return new PretrainBatch(images.To(TestDevice.Current), ids);
    }
}
