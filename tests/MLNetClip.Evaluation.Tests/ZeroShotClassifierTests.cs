using MLNetClip.Data.Text;
using MLNetClip.Evaluation.ZeroShot;
using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Tests;

/// <summary>The template ensemble against a prompt-by-prompt manual computation.</summary>
public class ZeroShotClassifierTests
{
    private static readonly string[] Classes = ["grinning face", "red apple", "flag: France"];
    private static readonly string[] Templates = ["an emoji of {}.", "a photo of a {}", "{}, drawn flat", "art of the {}."];

    private static Clip TinyModel()
    {
        var options = ClipPresets.VitMicro() with { Text = ClipPresets.VitMicro().Text with { ContextLength = 24 } };
        var model = new Clip(options);
        model.To(TestDevice.Current);
        return model;
    }

    [Fact]
    public void TheEnsembleEqualsTheMeanOfNormalisedPromptEmbeddingsNormalised()
    {
        using var model = TinyModel();
        var tokenizer = ClipTokenizer.Default;
        var baseline = LiveTensors.Baseline();
        using (var weights = ZeroShotClassifier.Build(model, tokenizer, Classes, Templates, batchSize: 5))
        {
            Assert.Equal([3L, 64L], weights.Shape);
            using var scope = DisposeScope.Begin();
            using var noGrad = GradMode.NoGrad();
            for (var c = 0; c < Classes.Length; c++)
            {
                // One prompt per pass, normalised by hand: sum of squares on the host.
                var sum = new double[64];
                foreach (var template in Templates)
                {
                    var ids = tokenizer.Tokenize([template.Replace("{}", Classes[c])], 24).To(TestDevice.Current);
                    var e = model.EncodeText(ids).To(Device.Cpu).ToArray<float>();
                    var norm = Math.Sqrt(e.Sum(v => (double)v * v));
                    for (var k = 0; k < e.Length; k++) sum[k] += e[k] / norm / Templates.Length;
                }
                var meanNorm = Math.Sqrt(sum.Sum(v => v * v));
                var expected = sum.Select(v => v / meanNorm).ToArray();
                var actual = weights.Select(0, c).To(Device.Cpu).ToArray<float>();
                for (var k = 0; k < 64; k++) Assert.Equal(expected[k], actual[k], 1e-5);
            }
            // Batching does not change the result.
            using var single = ZeroShotClassifier.Build(model, tokenizer, Classes, Templates, batchSize: 1);
            Assert.True(single.AllClose(weights, rtol: 1e-5, atol: 1e-6));
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void ScoresAreCosinesAndTheModelKeepsItsMode()
    {
        using var model = TinyModel();
        model.Train();
        using var weights = ZeroShotClassifier.Build(model, ClipTokenizer.Default, Classes, ["{}"]);
        Assert.True(model.Training);
        model.Eval();
        using var generator = new Generator(1);
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([2, 64], generator).To(TestDevice.Current) * 3;        // [2, E], not unit length
        var scores = ZeroShotClassifier.Scores(images, weights).To(Device.Cpu).ToArray<float>();
        var w = weights.To(Device.Cpu).ToArray<float>();
        var x = images.To(Device.Cpu).ToArray<float>();
        for (var i = 0; i < 2; i++)
            for (var c = 0; c < 3; c++)
            {
                double dot = 0, xx = 0, ww = 0;
                for (var k = 0; k < 64; k++)
                {
                    dot += x[i * 64 + k] * w[c * 64 + k];
                    xx += x[i * 64 + k] * x[i * 64 + k];
                    ww += w[c * 64 + k] * w[c * 64 + k];
                }
                Assert.Equal(dot / Math.Sqrt(xx * ww), scores[i * 3 + c], 1e-5);
            }
        Assert.Throws<ArgumentException>(() => ZeroShotClassifier.Build(model, ClipTokenizer.Default, [], ["{}"]));
    }
}
