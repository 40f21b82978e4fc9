using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Distill;

public class ClipTeacherTests
{
    [Fact]
    public void LoadsAHuggingFaceFolderOrARunFolderFrozenAndInEvalMode()
    {
        var run = Path.Combine(Path.GetTempPath(), "mim-teacher-" + Guid.NewGuid().ToString("N"));
        try
        {
            Generator.ManualSeed(0);
            using (var clip = new Clip(ClipPresets.VitMicro())) HuggingFaceClip.Save(clip, Path.Combine(run, "model"));
            foreach (var folder in new[] { run, Path.Combine(run, "model") })
            {
                using var teacher = ClipTeacher.Load(folder);
                teacher.Train();
                Assert.False(teacher.Training);
                Assert.All(teacher.Parameters(), p => Assert.False(p.RequiresGrad));
                Assert.Equal(2, teacher.Depth);
            }
        }
        finally
        {
            if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        }
    }

    [Fact]
    public void AMissingOrForeignFolderFailsWithOneLineNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mim-no-such-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => ClipTeacher.Load(missing));
        Assert.Contains(missing, e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var foreign = Path.Combine(Path.GetTempPath(), "mim-foreign-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(foreign);
        try
        {
            File.WriteAllText(Path.Combine(foreign, "config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 8}");
            File.WriteAllText(Path.Combine(foreign, "model.safetensors"), "not weights");
            var bad = Assert.Throws<InvalidDataException>(() => ClipTeacher.Load(foreign));
            Assert.StartsWith($"teacher '{foreign}' is not a CLIP vision tower: ", bad.Message);
            Assert.DoesNotContain('\n', bad.Message);
        }
        finally
        {
            Directory.Delete(foreign, recursive: true);
        }
    }

    [Fact]
    public void AnotherGridIsMetByResizingTheTeachersInput()
    {
        using var scope = DisposeScope.Begin();
        Generator.ManualSeed(1);
        using var teacher = new ClipTeacher(new Clip(ClipPresets.VitMicro()));           // 32 px, patches of 8: 4×4
        var images = Tensor.Randn([2, 3, 16, 16]);                                      // a student grid of 4×4 patches of 4
        using var pass = teacher.Run(images, new PatchGrid(4, 4), [1, 2], lastAttention: true, projected: true);
        Assert.Equal(new long[] { 2, 17, 64 }, pass.Hidden[2].Shape);
        Assert.Equal(new long[] { 2, 16 }, pass.ClsAttention!.Shape);
        Assert.Equal(new long[] { 2, 17, 64 }, pass.Projected!.Shape);
        // The same as running it on the images resized by hand to 32 px.
        using var direct = teacher.Visual.Encode(F.InterpolateBicubic(images, 32, 32));
        Assert.True(pass.Hidden[2].AllClose(direct.LastHiddenState, rtol: 0, atol: 1e-5));
        // Class-token attention of the last block: positive, and less than 1 in total (the class token takes a share).
        var sums = pass.ClsAttention.Sum(1).ToArray<float>();
        Assert.All(sums, s => Assert.InRange(s, 0.0f, 1.0f));
        // A coarser grid: the input shrinks to 2·8 px and the position table to 2×2.
        using var coarse = teacher.Run(images, new PatchGrid(2, 2), [2]);
        Assert.Equal(new long[] { 2, 5, 64 }, coarse.Hidden[2].Shape);
    }
}
