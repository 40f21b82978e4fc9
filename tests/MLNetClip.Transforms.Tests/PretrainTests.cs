using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Pretraining.Training;
using MLNetClip.Transforms.Pretrain;

namespace MLNetClip.Transforms.Tests;

/// <summary>MaskClipPretrain: Fit trains through the library's loop, reports progress, stops on its token, resumes to the same model.</summary>
public class PretrainTests
{
    private sealed class Steps(Action<long>? onStep = null) : IPretrainProgress
    {
        public List<long> Seen { get; } = [];

        public void Stepped(long step, long totalSteps)
        {
            Seen.Add(step);
            onStep?.Invoke(step);
        }
    }

    private static MaskClipPretrainOptions Options(string output, IPretrainProgress progress, CancellationToken cancel = default, bool resume = false) => new()
    {
        Pretraining = new PretrainOptions
        {
            Method = "maskclip", Preset = "ViT-Micro", Steps = 4, BatchSize = 4, Workers = 1, Threads = 1, CheckpointEvery = 2, LogEvery = 2,
            LearningRate = 1e-3,
        },
        ImageColumnName = nameof(ImageRow.Path),
        CaptionColumnName = nameof(ImageRow.Caption),
        OutputDirectory = output,
        Progress = progress,
        CancellationToken = cancel,
        Resume = resume,
    };

    [Fact]
    public void FitTrainsReportsAndACancelledRunResumesToTheSameModel()
    {
        using var folder = new TempFolder();
        var (paths, captions) = TestModels.Images(folder, 8, size: 32);
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(paths.Select((p, i) => new ImageRow { Path = p, Caption = captions[i] }).ToList());

        var progress = new Steps();
        var whole = ml.Transforms.MaskClipPretrain(Options(folder.File("whole"), progress));
        var shape = whole.GetOutputSchema(Shapes.Of(data.Schema)).Single(c => c.Name == "Features");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, shape.Kind);
        Assert.Equal(NumberDataViewType.Single, shape.ItemType);
        using var trained = whole.Fit(data);
        Assert.Equal([1L, 2, 3, 4], progress.Seen);
        Assert.True(File.Exists(Path.Combine(folder.File("whole"), "model", "model.safetensors")));
        var expected = trained.Transform(data).GetColumn<float[]>("Features").ToList();
        Assert.Equal(64, expected[0].Length);

        using var stop = new CancellationTokenSource();
        var interrupted = new Steps(step => { if (step == 2) stop.Cancel(); });
        var cancelled = Assert.Throws<OperationCanceledException>(() => ml.Transforms.MaskClipPretrain(Options(folder.File("resumed"), interrupted, stop.Token)).Fit(data));
        Assert.Contains("cancelled at step 2 of 4", cancelled.Message);
        var again = new Steps();
        using var resumed = ml.Transforms.MaskClipPretrain(Options(folder.File("resumed"), again, resume: true)).Fit(data);
        Assert.Equal([3L, 4], again.Seen);
        var got = resumed.Transform(data).GetColumn<float[]>("Features").ToList();
        for (var i = 0; i < got.Count; i++) Assert.Equal(expected[i], got[i]);
    }

    [Fact]
    public void BadColumnsAndOptionsFailBeforeTraining()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Path = "a.png", Caption = 3f } });
        var bad = Assert.Throws<PretrainOptionException>(() => ml.Transforms.MaskClipPretrain(new MaskClipPretrainOptions
        {
            Pretraining = new PretrainOptions { Steps = 1, BatchSize = 0 }, OutputDirectory = "x",
        }));
        Assert.Contains("'batchSize' must be 1 to 65536", bad.Message);
        var caption = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.MaskClipPretrain(new MaskClipPretrainOptions
        {
            ImageColumnName = "Path", OutputDirectory = Path.Combine(Path.GetTempPath(), "never-written"),
        }).Fit(data));
        Assert.Contains("caption column 'Caption' is Single; expected String", caption.Message);
    }
}
