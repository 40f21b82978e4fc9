using MLNetClip.Data.Text;
using MLNetClip.Reports.Heatmaps;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Reports.Tests;

/// <summary>Text→patch similarity against a hand computation on a tiny model.</summary>
public class TextPatchSimilarityTests
{
    [Fact]
    public void Each_patch_s_value_is_the_cosine_of_its_normed_projected_token_with_the_caption()
    {
        var baseline = LiveTensors.Baseline();
        using (var model = TinyModels.Create())
        using (var image = TinyModels.Images(1))
        {
            string[] captions = ["a red square", "two blue circles on green"];

            var maps = TextPatchSimilarity.Maps(model, image, captions);

            // By hand, on the host: last block's output → LayerNorm (γ, β, ε = 1e-5) → W_proj → cosine.
            float[] hidden, gamma, beta, projection, text;
            using (var scope = DisposeScope.Begin())
            {
                using var encoding = model.Visual.Encode(image);
                hidden = encoding.LastHiddenState.ToArray<float>();                        // [1, 1 + 4, 8]
                gamma = model.Visual.Norm.Weight.ToArray<float>();
                beta = model.Visual.Norm.Bias.ToArray<float>();
                projection = ((Linear)model.Visual.Head).Weight.ToArray<float>();           // [6, 8]
                text = model.EncodeText(ClipTokenizer.Default.Tokenize(captions, 16)).Detach().ToArray<float>();  // [2, 6]
            }
            const int d = 8, e = 6, patches = 4;
            Assert.Equal(2, maps.Count);
            for (var t = 0; t < captions.Length; t++)
            {
                Assert.Equal((2, 2), (maps[t].Rows, maps[t].Cols));
                for (var p = 0; p < patches; p++)
                {
                    var token = hidden.AsSpan((1 + p) * d, d).ToArray();                   // skip the class token
                    double mean = token.Average(v => (double)v), variance = token.Average(v => (v - mean) * (v - mean));
                    var normed = token.Select((v, i) => (v - mean) / Math.Sqrt(variance + 1e-5) * gamma[i] + beta[i]).ToArray();
                    var projected = Enumerable.Range(0, e).Select(o => Enumerable.Range(0, d).Sum(i => projection[o * d + i] * normed[i])).ToArray();
                    var caption = text.AsSpan(t * e, e).ToArray().Select(v => (double)v).ToArray();
                    var cosine = projected.Zip(caption, (a, b) => a * b).Sum() /
                        Math.Sqrt(projected.Sum(v => v * v)) / Math.Sqrt(caption.Sum(v => v * v));
                    Assert.Equal(cosine, maps[t].Values[p], 5);
                }
            }
        }
        Assert.Equal(baseline, Tensor.LiveCount);
    }

    [Fact]
    public void A_text_embedding_equal_to_a_patch_s_own_embedding_scores_one_there()
    {
        using var model = TinyModels.Create();
        using var images = TinyModels.Images(2);
        using var scope = DisposeScope.Begin();
        var patches = TextPatchSimilarity.PatchEmbeddings(model, images);                  // [2, 4, 6]
        Assert.Equal([2L, 4, 6], patches.Shape);
        // Patch 3 of image 1, scaled: cosine ignores the length.
        var text = (patches.Select(0, 1).Narrow(0, 3, 1) * 2.5).Contiguous();              // [1, 6]

        var cosine = TextPatchSimilarity.Compute(model, images, text).ToArray<float>();    // [2, 1, 4]

        Assert.Equal(1.0, cosine[4 + 3], 5);
        Assert.All(cosine, c => Assert.InRange(c, -1.00001f, 1.00001f));
        Assert.True(cosine.Count(c => c > 0.99999f) == 1, "only the patch itself is identical to the text");
    }

    [Fact]
    public void Rows_and_columns_follow_the_patch_grid()
    {
        // 24-px input: a 3×3 grid (positions resized from the trained 2×2).
        using var model = TinyModels.Create();
        using var image = TinyModels.Images(1, size: 24);
        var map = Assert.Single(TextPatchSimilarity.Maps(model, image, ["x"]));
        Assert.Equal((3, 3, 9), (map.Rows, map.Cols, map.Values.Length));
    }
}
