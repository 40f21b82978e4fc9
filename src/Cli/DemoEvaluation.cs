using System.Globalization;
using MLNetClip.Data.Datasets;
using MLNetClip.Data.FashionMnist;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Probe;
using MLNetClip.Evaluation.Retrieval;
using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Cli;

/// <summary>
/// The demo's evaluations of one model, through MLNetClip.Evaluation, each also written as the
/// `eval --json` file of its task into the model's run folder (where `report` picks them up).
/// </summary>
internal sealed class DemoEvaluation
{
    private readonly DemoData _data;
    private readonly DemoSizes _sizes;

    public DemoEvaluation(DemoData data, DemoSizes sizes)
    {
        _data = data;
        _sizes = sizes;
    }

    /// <summary>
    /// Fills <paramref name="scores"/> for the model in <paramref name="runFolder"/>/model. With
    /// <paramref name="pixels"/>, the raw-pixel probes' numbers go into that column as well.
    /// </summary>
    public void Run(ClipEmbedder embedder, string runFolder, DemoScores scores, DemoScores? pixels)
    {
        var model = embedder.Model;
        var concept = RetrievalEvaluation.Evaluate(embedder, _data.Concept.Rows);
        Write(runFolder, "retrieval-concept", "retrieval", model, _data.Concept.Description, EvalJson.Retrieval(concept));
        scores.Values[DemoScores.ConceptI2T1] = concept.Result.ImageToText.RecallAt1;
        scores.Values[DemoScores.ConceptI2T5] = concept.Result.ImageToText.RecallAt5;
        scores.Values[DemoScores.ConceptT2I1] = concept.Result.TextToImage.RecallAt1;
        scores.Values[DemoScores.ConceptT2I5] = concept.Result.TextToImage.RecallAt5;

        // The held-out concepts' own names are the classes: none was seen in training, so this is zero-shot.
        // The 7-template ensemble, not OpenAI's 80: 840 names × 80 prompts would outlast the training on a CPU.
        var zeroShot = ZeroShotEvaluation.Evaluate(embedder, LabelledImages.From(_data.Concept.Rows), PromptTemplates.Simple);
        var zeroShotJson = EvalJson.ZeroShot(zeroShot, PromptTemplates.SimpleName);
        // Hundreds of unseen names make a confusion matrix of ~10⁶ mostly empty cells: too big for the file and the report.
        zeroShotJson.Remove("confusion");
        Write(runFolder, "zeroshot-concept", "zeroshot", model, _data.Concept.Description, zeroShotJson);
        scores.Values[DemoScores.ZeroShot] = zeroShot.Metrics.Top1;

        var style = RetrievalEvaluation.Evaluate(embedder, _data.Style.Rows);
        Write(runFolder, "retrieval-style", "retrieval", model, _data.Style.Description, EvalJson.Retrieval(style));
        scores.Values[DemoScores.StyleI2T1] = style.Result.ImageToText.RecallAt1;
        scores.Values[DemoScores.StyleI2T5] = style.Result.ImageToText.RecallAt5;

        var options = ProbeOptions(pixels is not null, _sizes.PixelSize, model.Directory);
        var emoji = LinearProbeEvaluation.Evaluate(embedder, Split(_data.CategoryTrain, _sizes.ProbeTrain), Split(_data.CategoryTest, null),
            _data.Categories, options, Split(_data.CategoryValidation, null));
        Write(runFolder, "probe-category", "probe", model, _data.CategoryDescription, EvalJson.Probe(emoji));
        scores.Values[DemoScores.EmojiProbe] = emoji.Features.Test.Top1;
        if (pixels is not null) pixels.Values[DemoScores.EmojiProbe] = emoji.Pixels!.Test.Top1;

        if (!FashionMnistDataset.IsAvailable()) return;
        var train = FashionMnistDataset.Load(FashionMnistPart.Train);
        var test = FashionMnistDataset.Load(FashionMnistPart.Test);
        var trainImages = new FashionMnistImages(train, Math.Min(_sizes.FashionTrain, train.Count));
        var testImages = new FashionMnistImages(test, Math.Min(_sizes.FashionTest, test.Count));
        var fashion = LinearProbeEvaluation.Evaluate(embedder, new ProbeSplit(trainImages, trainImages.Labels),
            new ProbeSplit(testImages, testImages.Labels), FashionMnistDataset.ClassNames, options);
        var description = string.Create(CultureInfo.InvariantCulture,
            $"Fashion-MNIST: first {trainImages.Count:N0} of train, first {testImages.Count:N0} of t10k");
        Write(runFolder, "probe-fashion-mnist", "probe", model, description, EvalJson.Probe(fashion));
        scores.Values[DemoScores.FashionProbe] = fashion.Features.Test.Top1;
        if (pixels is not null) pixels.Values[DemoScores.FashionProbe] = fashion.Pixels!.Test.Top1;
    }

    /// <summary>
    /// Cheaper than `eval probe`'s defaults, which are for a paper's table: on raw pixels (3,072 inputs ×
    /// thousands of images, in float64) six strengths fitted to a 1e-6 gradient had not finished the
    /// first probe in 27 minutes on a loaded 2-core machine. Four strengths and 300 iterations to 1e-5
    /// did the untrained model's four probes (features and pixels, two data sets) in under 3 minutes there, quiet.
    /// </summary>
    internal static ProbeEvaluationOptions ProbeOptions(bool pixelBaseline, int pixelSize, string model) => new()
    {
        PixelBaseline = pixelBaseline,
        PixelSize = pixelSize,
        L2Grid = [1e-3, 1e-2, 1e-1, 1],
        Optimizer = new LbfgsOptions { MaxIterations = 300, GradientTolerance = 1e-5 },
        Log = line => Console.WriteLine($"demo: probe ({Path.GetFileName(Path.GetDirectoryName(model))}): {line}"),
    };

    private ProbeSplit Split(IReadOnlyList<EvaluationRow> rows, int? limit)
    {
        var images = LabelledImages.From(rows, _data.Categories);
        // Every k-th image, not the first N: the manifest is ordered by style and code point, not shuffled.
        var count = Math.Min(limit ?? int.MaxValue, images.Count);
        var picked = Enumerable.Range(0, count).Select(i => (int)((long)i * images.Count / count)).ToList();
        return new ProbeSplit(new RecordImages(picked.Select(i => images.Images[i]).ToList()), picked.Select(i => images.Labels[i]).ToList());
    }

    private static void Write(string runFolder, string name, string task, EvaluationModel model, string data, System.Text.Json.Nodes.JsonObject body) =>
        EvalJson.Write(Path.Combine(runFolder, $"eval-{name}.json"), task, model, data, body);
}

/// <summary>How much of each evaluation the demo runs: subsamples that keep it to minutes on a CPU.</summary>
internal sealed record DemoSizes(int ProbeTrain, int FashionTrain, int FashionTest, int PixelSize);

/// <summary>The emoji benchmark's parts the demo reads: retrieval sets by caption, probe sets by category.</summary>
internal sealed class DemoData
{
    public required EvaluationSet Train { get; init; }
    public required EvaluationSet Concept { get; init; }
    public required EvaluationSet Style { get; init; }
    public required IReadOnlyList<EvaluationRow> CategoryTrain { get; init; }
    public required IReadOnlyList<EvaluationRow> CategoryValidation { get; init; }
    public required IReadOnlyList<EvaluationRow> CategoryTest { get; init; }
    public required IReadOnlyList<string> Categories { get; init; }
    public required string CategoryDescription { get; init; }

    public static DemoData Read(string manifest)
    {
        EvaluationSet Part(string column, string split) =>
            EvaluationData.Read(manifest, EvaluationData.DefaultImageColumn, column, column, [ColumnFilter.Parse($"split={split}")]);
        var categoryTrain = Part("category", "train");
        var categoryValidation = Part("category", "val");
        var categoryTest = Part("category", "test-concept");
        return new DemoData
        {
            Train = Part("title", "train"),
            Concept = Part("title", "test-concept"),
            Style = Part("title", "test-style"),
            CategoryTrain = categoryTrain.Rows,
            CategoryValidation = categoryValidation.Rows,
            CategoryTest = categoryTest.Rows,
            Categories = LabelledImages.DistinctClasses(categoryTrain.Rows, categoryValidation.Rows, categoryTest.Rows),
            CategoryDescription = $"train: {categoryTrain.Description}; test: {categoryTest.Description}; validation: {categoryValidation.Description}",
        };
    }
}
