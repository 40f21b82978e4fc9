using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Methods;

/// <summary>Each MaskCLIP loss term against a value computed by hand with plain arrays.</summary>
public class MaskClipLossTests
{
    private static readonly double[][] Image = [[1, 0], [0.6, 0.8]];
    private static readonly double[][] Text = [[0.8, 0.6], [0, 1]];
    private const double Scale = 2;

    // Prediction, target [1, 3, 2] and mask [1, 3]: differences 0.1, −0.3 | 2, 0 | 0.5, −1.5.
    private static readonly float[] Prediction = [0.1f, 0.2f, 3f, 1f, 0.5f, -1f];
    private static readonly float[] Target = [0f, 0.5f, 1f, 1f, 0f, 0.5f];
    private static readonly float[] Mask = [1f, 0f, 1f];

    // Word logits [1, 3, 4] at three slots, their token ids, and which slots hold a masked word.
    private static readonly float[] WordLogits = [2f, 0f, -1f, 0.5f, 0f, 0f, 0f, 0f, -0.5f, 1.5f, 0.25f, 3f];
    private static readonly long[] WordIds = [0, 2, 3];
    private static readonly float[] WordWeights = [1f, 0f, 1f];

    [Fact]
    public void Contrastive_IsTheMeanOfBothCrossEntropies()
    {
        using var scope = DisposeScope.Begin();
        using var terms = new ClipLoss().Forward(Tensor2(Image), Tensor2(Text), Tensor.Scalar(Scale));
        Assert.Equal(HandContrastive(), terms[ClipLoss.ContrastiveLoss].Item(), 5);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.25)]
    public void MaskedSmoothL1_AveragesOverWidthThenOverMaskedPositions(double beta)
    {
        using var scope = DisposeScope.Begin();
        var value = MaskClipLoss.MaskedSmoothL1(Masked(), beta).Item();
        Assert.Equal(HandMaskedSmoothL1(beta), value, 5);
    }

    [Fact]
    public void NothingMasked_GivesZero_NotNaN()
    {
        using var scope = DisposeScope.Begin();
        var p = new MaskedPrediction(Tensor.FromArray(Prediction, 1, 3, 2), Tensor.FromArray(Target, 1, 3, 2), Tensor.Zeros([1, 3]));
        Assert.Equal(0, MaskClipLoss.MaskedSmoothL1(p, 1).Item());
    }

    [Fact]
    public void MaskedCrossEntropy_AveragesOverTheMaskedWordsOnly()
    {
        using var scope = DisposeScope.Begin();
        Assert.Equal(HandMaskedCrossEntropy(), MaskClipLoss.MaskedCrossEntropy(Words()).Item(), 5);
        var none = new MaskedWords(Tensor.FromArray(WordLogits, 1, 3, 4), Tensor.FromArray(WordIds, 1, 3), Tensor.Zeros([1, 3]));
        Assert.Equal(0, MaskClipLoss.MaskedCrossEntropy(none).Item());
    }

    [Fact]
    public void Terms_AreWeighted_NamedSeparately_AndTotalIsTheirSum()
    {
        using var scope = DisposeScope.Begin();
        var loss = new MaskClipLoss(beta: 0.5, distillWeight: 2, mlmWeight: 0.3);
        using var terms = loss.Forward(Tensor2(Image), Tensor2(Text), Tensor.Scalar(Scale), Masked(), Words());
        Assert.Equal([ClipLoss.ContrastiveLoss, MaskClipLoss.DistillLoss, MaskClipLoss.MlmLoss], terms.Terms.Select(t => t.Key));
        var contrastive = HandContrastive();
        var distill = 2 * HandMaskedSmoothL1(0.5);
        var words = 0.3 * HandMaskedCrossEntropy();
        Assert.Equal(distill, terms[MaskClipLoss.DistillLoss].Item(), 5);
        Assert.Equal(words, terms[MaskClipLoss.MlmLoss].Item(), 5);
        Assert.Equal(contrastive + distill + words, terms.Total.Item(), 5);

        using var imageOnly = loss.Forward(Tensor2(Image), Tensor2(Text), Tensor.Scalar(Scale), Masked(), null);
        Assert.Equal(2, imageOnly.Terms.Count);
    }

    private static MaskedPrediction Masked() =>
        new(Tensor.FromArray(Prediction, 1, 3, 2), Tensor.FromArray(Target, 1, 3, 2), Tensor.FromArray(Mask, 1, 3));

    private static MaskedWords Words() =>
        new(Tensor.FromArray(WordLogits, 1, 3, 4), Tensor.FromArray(WordIds, 1, 3), Tensor.FromArray(WordWeights, 1, 3));

    private static Tensor Tensor2(double[][] rows) =>
        Tensor.FromArray(rows.SelectMany(r => r.Select(v => (float)v)).ToArray(), rows.Length, rows[0].Length);

    private static double HandContrastive()
    {
        var n = Image.Length;
        var logits = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                logits[i, j] = Scale * (Image[i][0] * Text[j][0] + Image[i][1] * Text[j][1]);
        double perImage = 0, perText = 0;
        for (var i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, n).Select(j => logits[i, j]).ToArray();
            var col = Enumerable.Range(0, n).Select(j => logits[j, i]).ToArray();
            perImage += Math.Log(row.Sum(Math.Exp)) - logits[i, i];
            perText += Math.Log(col.Sum(Math.Exp)) - logits[i, i];
        }
        return (perImage / n + perText / n) / 2;
    }

    private static double HandMaskedSmoothL1(double beta)
    {
        static double SmoothL1(double x, double b) => Math.Abs(x) < b ? 0.5 * x * x / b : Math.Abs(x) - 0.5 * b;
        double sum = 0, count = 0;
        for (var t = 0; t < 3; t++)
        {
            var perToken = (SmoothL1(Prediction[2 * t] - Target[2 * t], beta) + SmoothL1(Prediction[2 * t + 1] - Target[2 * t + 1], beta)) / 2;
            sum += Mask[t] * perToken;
            count += Mask[t];
        }
        return sum / count;
    }

    private static double HandMaskedCrossEntropy()
    {
        double sum = 0, count = 0;
        for (var k = 0; k < 3; k++)
        {
            var row = WordLogits.Skip(4 * k).Take(4).Select(v => (double)v).ToArray();
            var crossEntropy = Math.Log(row.Sum(Math.Exp)) - row[WordIds[k]];
            sum += WordWeights[k] * crossEntropy;
            count += WordWeights[k];
        }
        return sum / count;
    }
}
