using MLNetClip.Models;
using MLNetClip.Pretraining.Masking;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Methods;

/// <summary>What each MaskCLIP variant feeds its losses, rebuilt here step by step from the same mask draws.</summary>
public class MaskClipMethodTests
{
    private const ulong MaskSeed = 21;

    // 0.2 (the default) masks one word per test caption, in one slot; 0.5 masks one or two words
    // in two slots, so captions with one masked word also carry an unweighted filler slot.
    [Theory]
    [InlineData(MaskClipMethod.MethodName, 0.2)]
    [InlineData(MaskClipEfficientMethod.MethodName, 0.2)]
    [InlineData(MaskClipMethod.MethodName, 0.5)]
    public void Terms_MatchAStepByStepRecomputation(string name, double textMaskRatio)
    {
        using var method = (MaskClipMethodBase)MethodHarness.Create(name, TinyModels.Clip(seed: 4), new MaskClipOptions { TextMaskRatio = textMaskRatio });
        using var batch = new PretrainBatch(TinyModels.Images(), TinyModels.Captions());
        using var generator = new Generator(MaskSeed, TestDevice.Current);
        var context = new StepContext(generator, TestDevice.Current, totalSteps: 3_000) { Step = 1_000 };
        using var terms = method.Forward(batch, context);
        Assert.Equal([ClipLoss.ContrastiveLoss, MaskClipLoss.DistillLoss, MaskClipLoss.MlmLoss, MaskClipMethodBase.EmaMomentumTerm],
            terms.Terms.Select(t => t.Key));

        // The same draws, in the same order: the patch mask, then the caption mask.
        using var scope = DisposeScope.Begin();
        using var replay = new Generator(MaskSeed, TestDevice.Current);
        var model = method.Model;
        using var mask = PatchMasking.Random(4, new PatchGrid(2, 2), 0.75, replay);
        var words = TextMasking.Random(batch.TokenIds, model.Text.EndTokenIndex(batch.TokenIds), textMaskRatio, replay);

        using var student = model.Visual.Encode(batch.Images, mask.VisibleIds);
        var image = name == MaskClipMethod.MethodName ? model.EncodeImage(batch.Images, normalize: true) : F.Normalize(student.Embedding);
        using var contrastive = new ClipLoss().Forward(image, model.EncodeText(batch.TokenIds, normalize: true), model.LogitScaleFactor());
        AssertClose(contrastive[ClipLoss.ContrastiveLoss], terms[ClipLoss.ContrastiveLoss], "contrastive");

        // Image: the decoder on the student's final-normed tokens, against the teacher's last block,
        // LayerNormed without affine, at the removed patches only.
        Tensor teacherPatches;
        using (GradMode.NoGrad())
        {
            using var t = method.Teacher.Model.Visual.Encode(batch.Images);
            teacherPatches = F.LayerNorm(t.LastHiddenState.Narrow(1, 1, 4), [16]);
        }
        var predicted = method.ImageDecoder.Forward(model.Visual.Norm.Forward(student.LastHiddenState), mask);
        var distill = MaskClipLoss.MaskedSmoothL1(new MaskedPrediction(predicted, teacherPatches, mask.Mask), 1.0);
        AssertClose(distill, terms[MaskClipLoss.DistillLoss], "distill");

        // Text: the decoder on the masked caption's encoding, word logits at every position through
        // the tied token table, then cross-entropy averaged on the host over the masked words.
        using var text = model.Text.Encode(batch.TokenIds, replaced: words, replacement: method.TextMaskToken);
        var logits = F.Linear(method.TextDecoder!.Forward(text.LastHiddenState), model.Text.TokenEmbed.Weight, method.TextWordBias); // [4, 6, 100]
        var mlm = method.Options.MlmWeight * HandMaskedCrossEntropy(logits, batch.TokenIds, words);
        Assert.Equal(mlm, terms[MaskClipLoss.MlmLoss].Item(), 5);

        Assert.Equal(method.Teacher.GetDecay(1_000, 3_000), terms[MaskClipMethodBase.EmaMomentumTerm].Item(), 6);
        Assert.True(terms[MaskClipLoss.DistillLoss].Item() > 0);
    }

    [Fact]
    public void AfterStep_MovesTheTeacherByTheScheduledMomentum()
    {
        using var method = (MaskClipMethodBase)MethodHarness.Create(MaskClipMethod.MethodName, TinyModels.Clip(),
            new MaskClipOptions { EmaStart = 0.5, EmaEnd = 0.9, EmaSchedule = "linear" });
        using (GradMode.NoGrad()) method.Model.LogitScale.Fill_(4.0);
        var before = method.Teacher.Model.LogitScale.Item();
        using var generator = new Generator(1, TestDevice.Current);
        method.AfterStep(new StepContext(generator, TestDevice.Current, totalSteps: 5) { Step = 2 });  // momentum 0.7
        Assert.Equal(0.7 * before + 0.3 * 4.0, method.Teacher.Model.LogitScale.Item(), 5);
    }

    [Fact]
    public void PatchDecoder_PutsVisibleTokensAtTheirPatches_AndTheMaskTokenElsewhere()
    {
        Generator.ManualSeed(5);
        using var decoder = new MLNetClip.Pretraining.Methods.Decoders.PatchDecoder(inWidth: 4, width: 6, depth: 1, heads: 2, patches: 4, outWidth: 3);
        using var scope = DisposeScope.Begin();
        using var generator = new Generator(8);
        using var mask = PatchMasking.Random(2, new PatchGrid(2, 2), 0.5, generator);
        var student = Tensor.Randn([2, 3, 4]);                                          // class token + 2 visible
        var actual = decoder.Forward(student, mask);

        // Reference: lay the sequence out by writing each visible token at its patch number.
        var embedded = decoder.Decoder.Embed.Forward(student);                          // [2, 3, 6]
        var visible = mask.VisibleIds.ToArray<long>();
        var rows = new List<Tensor>();
        for (var b = 0; b < 2; b++)
        {
            var tokens = new Tensor[5];
            tokens[0] = embedded.Select(0, b).Select(0, 0);
            for (var p = 0; p < 4; p++) tokens[1 + p] = decoder.MaskToken;
            for (var j = 0; j < 2; j++) tokens[1 + visible[b * 2 + j]] = embedded.Select(0, b).Select(0, 1 + j);
            rows.Add(Tensor.Stack(tokens));
        }
        var expected = decoder.Decoder.Decode(Tensor.Stack(rows)).Narrow(1, 1, 4);
        AssertClose(expected, actual, "decoded patches");
    }

    [Fact]
    public void BadOptions_FailAtConstruction_NamingTheOption()
    {
        using var model = TinyModels.Clip();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MethodHarness.Create(MaskClipMethod.MethodName, model, new MaskClipOptions { MaskRatio = 1.2 }));
        Assert.Contains("MaskClip.MaskRatio", e.Message);
        var shape = Assert.Throws<ArgumentException>(() => MethodHarness.Create(MaskClipMethod.MethodName, model, new MaskClipOptions { EmaSchedule = "step" }));
        Assert.Contains("MaskClip.EmaSchedule", shape.Message);
    }

    [Fact]
    public void StateDict_HoldsTheTeacherAndDecoders()
    {
        using var method = MethodHarness.Create(MaskClipEfficientMethod.MethodName, TinyModels.Clip());
        var state = method.StateDict();
        try
        {
            Assert.Contains("model.logit_scale", state.Keys);
            Assert.Contains("teacher.model.logit_scale", state.Keys);
            Assert.Contains("image_decoder.mask_token", state.Keys);
            Assert.Contains("image_decoder.decoder.pos_embed", state.Keys);
            Assert.Contains("text_decoder.blocks.0.attn.q_proj.weight", state.Keys);
            Assert.Contains("text_mask_token", state.Keys);
            Assert.Contains("text_word_bias", state.Keys);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private static double HandMaskedCrossEntropy(Tensor logits, Tensor ids, Tensor masked)
    {
        long b = logits.Size(0), l = logits.Size(1), v = logits.Size(2);
        var z = logits.Detach().To(ScalarType.Float64).ToArray<double>();
        var target = ids.ToArray<long>();
        var isMasked = masked.ToArray<bool>();
        double sum = 0;
        var count = 0;
        for (var i = 0; i < b * l; i++)
        {
            if (!isMasked[i]) continue;
            var row = z.Skip((int)(i * v)).Take((int)v).ToArray();
            sum += Math.Log(row.Sum(Math.Exp)) - row[target[i]];
            count++;
        }
        Assert.True(count > 0);
        return sum / count;
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        using var scope = DisposeScope.Begin();
        var diff = (expected.Detach().To(ScalarType.Float64) - actual.Detach().To(ScalarType.Float64)).Abs().Max().Item();
        Assert.True(diff <= 1e-5, $"{what}: max abs difference {diff:E3}");
    }
}
