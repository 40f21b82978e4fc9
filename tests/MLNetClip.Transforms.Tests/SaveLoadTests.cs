using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Pretraining.Tests.Training;
using MLNetClip.Trainers;
using MLNetClip.Transforms.Saving;

namespace MLNetClip.Transforms.Tests;

/// <summary>
/// Fit → Transform → Save → Load in a fresh MLContext (and in another process) gives the same
/// bits; a zip whose MLNetClip part is missing or altered fails to load with one clear message.
/// </summary>
public class SaveLoadTests
{
    private static readonly string[] Classes = ["red", "green", "blue", "yellow"];

    private static IDataView Rows(MLContext ml, List<string> paths, List<string> captions) =>
        ml.Data.LoadFromEnumerable(paths.Select((p, i) => new ImageRow { Path = p, Caption = captions[i], Label = Classes[i % 4] }).ToList());

    private static IEstimator<ITransformer> Pipeline(MLContext ml, Evaluation.Embedding.EvaluationModel model) =>
        ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model, batchSize: 3)
            .Append(ml.Transforms.MaskClipEmbedText("TextFeatures", nameof(ImageRow.Caption), model))
            .Append(ml.MulticlassClassification.Trainers.MaskClipZeroShot(model, Classes, ["a {} picture", "{}"], labelColumnName: ""));

    private static string[] Columns => ["Features", "TextFeatures", "Score"];

    private static Dictionary<string, float[][]> Read(IDataView data) =>
        Columns.ToDictionary(c => c, c => data.GetColumn<float[]>(c).ToArray());

    private static (string Zip, List<string> Paths, Dictionary<string, float[][]> Before, uint[] Labels) SaveOne(TempFolder folder)
    {
        var (paths, captions) = TestModels.Images(folder, 6);
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Micro(folder);
        var data = Rows(ml, paths, captions);
        var fitted = Pipeline(ml, model).Fit(data);
        var output = fitted.Transform(data);
        var before = Read(output);
        var labels = output.GetColumn<uint>("PredictedLabel").ToArray();
        var zip = folder.File("pipeline.zip");
        ml.Model.SaveWithMaskClip(fitted, data.Schema, zip);
        return (zip, paths, before, labels);
    }

    [Fact]
    public void LoadedInAFreshContextThePipelineGivesTheSameBits()
    {
        using var folder = new TempFolder();
        var (zip, paths, before, labels) = SaveOne(folder);
        var ml = new MLContext(seed: 1);
        var loaded = ml.Model.LoadWithMaskClip(zip, out var schema);
        var data = ml.Data.LoadFromEnumerable(paths.Select((p, i) => new ImageRow { Path = p, Caption = TrainingTestData.Caption(i) }).ToList());
        Assert.Equal(nameof(ImageRow.Path), schema[nameof(ImageRow.Path)].Name);
        var output = loaded.Transform(data);
        var after = Read(output);
        foreach (var column in Columns)
            for (var i = 0; i < paths.Count; i++)
                Assert.Equal(before[column][i], after[column][i]);
        Assert.Equal(labels, output.GetColumn<uint>("PredictedLabel").ToArray());
        (loaded as IDisposable)?.Dispose();
    }

    [Fact]
    public void LoadedInAnotherProcessTheEmbeddingsAreTheSameBits()
    {
        using var folder = new TempFolder();
        var (zip, paths, before, _) = SaveOne(folder);
        var list = folder.File("paths.txt");
        File.WriteAllLines(list, paths);
        var output = folder.File("features.bin");
        var (code, error) = RunLoadCheck(zip, list, output, "Features");
        Assert.True(code == 0, $"LoadCheck exited {code}: {error}");
        var bytes = File.ReadAllBytes(output);
        var expected = before["Features"].SelectMany(r => r).ToArray();
        var got = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, got, 0, bytes.Length);
        Assert.Equal(expected, got);
    }

    [Fact]
    public void AMissingOrCorruptWeightsEntryFailsToLoadNamingIt()
    {
        using var folder = new TempFolder();
        var (zip, _, _, _) = SaveOne(folder);
        var weights = ArchiveManifest.ModelEntry(0, "model.safetensors");

        var missing = Copy(zip, folder.File("missing.zip"), archive => archive.GetEntry(weights)!.Delete());
        var e1 = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadWithMaskClip(missing, out _));
        Assert.Contains($"entry {weights} is missing", e1.Message);
        Assert.Contains(missing, e1.Message);

        var corrupt = Copy(zip, folder.File("corrupt.zip"), archive =>
        {
            var entry = archive.GetEntry(weights)!;
            byte[] bytes;
            using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); bytes = m.ToArray(); }
            entry.Delete();
            bytes[bytes.Length / 2] ^= 0x40;
            using var w = archive.CreateEntry(weights).Open();
            w.Write(bytes);
        });
        var e2 = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadWithMaskClip(corrupt, out _));
        Assert.Contains($"entry {weights} does not match its recorded SHA-256", e2.Message);

        var noManifest = Copy(zip, folder.File("nomanifest.zip"), archive => archive.GetEntry(ArchiveManifest.ManifestEntry)!.Delete());
        var e3 = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadWithMaskClip(noManifest, out _));
        Assert.Contains("holds 3 MLNetClip transform(s) but no mlnetclip/manifest.json", e3.Message);

        var (code, error) = RunLoadCheck(missing, folder.File("none.txt"), folder.File("none.bin"), "Features");
        Assert.Equal(1, code);
        Assert.Contains("is missing", error);
    }

    [Fact]
    public void MLNetsOwnSaveAndLoadRefuseClearlyInsteadOfDroppingTheWeights()
    {
        using var folder = new TempFolder();
        var (zip, paths, _, _) = SaveOne(folder);
        var ml = new MLContext(seed: 0);
        using var model = TestModels.Micro(folder);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { Path = p }).ToList());
        var fitted = ml.Transforms.MaskClipEmbed("Features", nameof(ImageRow.Path), model).Fit(data);
        var save = Assert.Throws<InvalidOperationException>(() => ml.Model.Save(fitted, data.Schema, folder.File("plain.zip")));
        Assert.Contains("SaveWithMaskClip", save.Message);

        ml.ComponentCatalog.RegisterAssembly(typeof(SlotFactory).Assembly);
        var load = Assert.ThrowsAny<Exception>(() => ml.Model.Load(zip, out _));
        Assert.Contains("LoadWithMaskClip", Messages(load));
    }

    private static string Messages(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Messages(e.InnerException);

    private static string Copy(string zip, string to, Action<ZipArchive> change)
    {
        File.Copy(zip, to);
        using var archive = ZipFile.Open(to, ZipArchiveMode.Update);
        change(archive);
        return to;
    }

    private static (int Code, string Error) RunLoadCheck(string zip, string paths, string output, string column)
    {
        if (!File.Exists(paths)) File.WriteAllText(paths, "");
        var dll = Path.Combine(AppContext.BaseDirectory, "MLNetClip.Transforms.LoadCheck.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { dll, zip, paths, output, column }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Result);
    }
}
