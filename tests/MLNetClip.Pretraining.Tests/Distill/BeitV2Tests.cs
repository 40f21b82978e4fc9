using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Methods.Distill;
using MLNetClip.Pretraining.Tests.Methods;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Distill;

public class BeitV2Tests
{
    [Fact]
    public void ClassTokenPretrainingAddsItsLossAndTrainsItsHead()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mim-beit-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var scope = DisposeScope.Begin();
            using var images = SyntheticPairs.Images(32);
            DistillMethods.WriteTokenizer(folder, images);
            using var method = (BeitV2Method)DistillMethods.Create(BeitV2Method.MethodName, new DistillOptions { ClassTokenPretraining = true }, folder);
            Assert.Equal(1, method.MiddleLayer);                                        // ⌈3·2/4⌉ = 2, kept below the top: 1
            using var batch = DistillMethods.Batch(images.Narrow(0, 0, 8));
            using var generator = new Generator(2, TestDevice.Current);
            using var terms = method.Forward(batch, new StepContext(generator, TestDevice.Current, 1));
            var names = terms.Terms.Select(t => t.Key).ToList();
            Assert.Equal(["MimLoss", "CodeAccuracy", "ClassTokenLoss"], names);
            Assert.True(double.IsFinite(terms["ClassTokenLoss"].Item()) && terms["ClassTokenLoss"].Item() > 0);
            terms.Total.Backward();
            Assert.All(method.ClassTokenHead!.Parameters(), p => Assert.NotNull(p.Grad));
            Assert.All(method.Tokenizer.Parameters(), p => Assert.Null(p.Grad));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
