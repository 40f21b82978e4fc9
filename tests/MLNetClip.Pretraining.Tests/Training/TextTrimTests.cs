using MLNetClip.Data.Text;
using MLNetClip.Models;
using MLNetClip.Pretraining.Methods;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;

namespace MLNetClip.Pretraining.Tests.Training;

/// <summary>Trimming captions to the batch's longest is exact: outputs equal the padded ones.</summary>
public class TextTrimTests
{
    private static Clip Micro()
    {
        Generator.ManualSeed(11);
        return new Clip(ClipPresets.VitMicro());
    }

    private static string[] Captions => Enumerable.Range(0, 8).Select(TrainingTestData.Caption).ToArray();

    [Fact]
    public void Trimmed_rows_end_at_the_longest_caption_and_encode_as_the_padded_ones()
    {
        using var model = Micro();
        var live = LiveTensors.Baseline();
        using (var scope = DisposeScope.Begin())
        {
            var padded = ClipTokenizer.Default.Tokenize(Captions);                           // [8, 77]
            var trimmed = TextTrim.ToLongest(padded, model.Text);                             // [8, L']

            // Independently: the longest caption's ids, start and end tokens included.
            var longest = Captions.Max(c => ClipTokenizer.Default.Encode(c).Count) + 2;
            Assert.Equal([8L, longest], trimmed.Shape);
            Assert.True(longest < 30);
            Assert.Equal(padded.Narrow(1, 0, longest).ToArray<long>(), trimmed.ToArray<long>());

            var full = model.EncodeText(padded, normalize: true).ToArray<float>();
            var cut = model.EncodeText(trimmed, normalize: true).ToArray<float>();
            Assert.Equal(full.Length, cut.Length);
            Assert.True(full.Zip(cut).Max(p => Math.Abs(p.First - p.Second)) <= 1e-6f);
            // One position fewer cuts the longest caption's end token, and its encoding changes: the comparison can fail.
            var tooShort = model.EncodeText(padded.Narrow(1, 0, longest - 1), normalize: true).ToArray<float>();
            Assert.True(full.Zip(tooShort).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f);
        }
        Assert.Equal(live, Tensor.LiveCount);
    }

    [Fact]
    public void The_clip_loss_is_the_same_and_the_images_untouched()
    {
        using var method = new ClipMethod(Micro());
        using var scope = DisposeScope.Begin();
        var images = Tensor.Randn([8, 3, 32, 32]);
        var padded = ClipTokenizer.Default.Tokenize(Captions);
        using var generator = new Generator(1);
        var step = new StepContext(generator, Device.Cpu, 10);

        using var full = method.Forward(new PretrainBatch(images.Clone(), padded.Clone()), step);
        using var cut = method.Forward(new PretrainBatch(images.Clone(), TextTrim.ToLongest(padded, method.Model.Text)), step);

        Assert.Equal(full.Total.Item(), cut.Total.Item(), 6);
    }

    [Fact]
    public void A_caption_filling_the_context_keeps_every_position()
    {
        using var model = Micro();
        using var scope = DisposeScope.Begin();
        var ids = ClipTokenizer.Default.Tokenize([string.Join(' ', Enumerable.Repeat("emoji", 100)), "short"]);  // [2, 77]
        Assert.Equal([2L, 77L], TextTrim.ToLongest(ids, model.Text).Shape);
    }
}
