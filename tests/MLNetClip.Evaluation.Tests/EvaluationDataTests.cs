using MLNetClip.Data.Datasets;
using MLNetClip.Data.Shards;
using MLNetClip.Evaluation.Data;
using MLNetClip.Pretraining.Tests.Training;

namespace MLNetClip.Evaluation.Tests;

/// <summary>Reading evaluation rows: columns by role, filters, distinct images, and failures that name what is wrong.</summary>
public class EvaluationDataTests
{
    private const string Manifest =
        "filepath\ttitle\tcategory\tsplit\n" +
        "a.png\ta cat\tanimal\ttrain\n" +
        "a.png\ta kitten\tanimal\ttrain\n" +
        "b.png\ta car\tvehicle\ttest\n" +
        "c.png\ta dog\tanimal\ttest\n";

    private static string Write(TempFolder folder, string text, string name = "m.tsv")
    {
        var path = folder.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void RowsCarryTheNamedColumnAndHonourFilters()
    {
        using var folder = new TempFolder();
        var path = Write(folder, Manifest);
        var set = EvaluationData.Read(path, "filepath", "category", "label", [ColumnFilter.Parse("split=test")]);
        Assert.Equal(["vehicle", "animal"], set.Rows.Select(r => r.Text));
        Assert.Equal(["b.png", "c.png"], set.Rows.Select(r => r.ImageKey));
        Assert.Contains("split=test", set.Description);

        var captions = EvaluationData.Read(path, "filepath", "title", "caption", []);
        Assert.Equal(["a cat", "a kitten", "a car", "a dog"], captions.Rows.Select(r => r.Text));
    }

    [Fact]
    public void AnImageOnSeveralRowsIsOneSampleWithSortedClassIndices()
    {
        using var folder = new TempFolder();
        var set = EvaluationData.Read(Write(folder, Manifest), "filepath", "category", "label", []);
        var data = LabelledImages.From(set.Rows);
        Assert.Equal(["animal", "vehicle"], data.ClassNames);
        Assert.Equal(["a.png", "b.png", "c.png"], data.Images.Select(r => r.Key));
        Assert.Equal([0, 1, 0], data.Labels);

        // A given class list fixes the indices, whatever the order of the rows.
        var given = LabelledImages.From(set.Rows, ["vehicle", "animal", "plant"]);
        Assert.Equal([1, 0, 1], given.Labels);
    }

    [Fact]
    public void AMissingColumnIsNamedWithItsRoleAndTheHeader()
    {
        using var folder = new TempFolder();
        var path = Write(folder, Manifest);
        var e = Assert.ThrowsAny<IOException>(() => EvaluationData.Read(path, "filepath", "label", "label", []));
        Assert.Contains("no label column 'label'", e.Message);
        Assert.Contains("'category'", e.Message);
        Assert.Contains(path, e.Message);
        var image = Assert.ThrowsAny<IOException>(() => EvaluationData.Read(path, "image", "title", "caption", []));
        Assert.Contains("no image column 'image'", image.Message);
    }

    [Fact]
    public void EmptyDataFailsNamingTheFile()
    {
        using var folder = new TempFolder();
        var headerOnly = Write(folder, "filepath\ttitle\n", "header.tsv");
        var e = Assert.Throws<InvalidDataException>(() => EvaluationData.Read(headerOnly, "filepath", "title", "caption", []));
        Assert.Contains(headerOnly, e.Message);
        Assert.Contains("no rows", e.Message);

        var empty = Write(folder, "", "empty.tsv");
        var nothing = Assert.ThrowsAny<IOException>(() => EvaluationData.Read(empty, "filepath", "title", "caption", []));
        Assert.Contains("empty", nothing.Message);

        var missing = folder.File("absent.tsv");
        var notThere = Assert.Throws<FileNotFoundException>(() => EvaluationData.Read(missing, "filepath", "title", "caption", []));
        Assert.Contains(missing, notThere.Message);
    }

    [Fact]
    public void ConflictingLabelsAndUnknownClassesAreRefused()
    {
        using var folder = new TempFolder();
        var path = Write(folder, Manifest + "a.png\tanother\tvehicle\ttest\n");
        var set = EvaluationData.Read(path, "filepath", "category", "label", []);
        var conflict = Assert.Throws<InvalidDataException>(() => LabelledImages.From(set.Rows));
        Assert.Contains("'a.png'", conflict.Message);
        Assert.Contains("'vehicle'", conflict.Message);
        Assert.Contains("'animal'", conflict.Message);

        var clean = EvaluationData.Read(Write(folder, Manifest, "clean.tsv"), "filepath", "category", "label", []);
        var unknown = Assert.Throws<InvalidDataException>(() => LabelledImages.From(clean.Rows, ["animal", "plant"]));
        Assert.Contains("'vehicle'", unknown.Message);
    }

    [Fact]
    public void ClassFilesAreReadInOrderAndChecked()
    {
        using var folder = new TempFolder();
        Assert.Equal(["zebra", "ant"], LabelledImages.ReadClassFile(Write(folder, "zebra\n\n  ant \n", "classes.txt")));
        var twice = Assert.Throws<InvalidDataException>(() => LabelledImages.ReadClassFile(Write(folder, "a\nb\na\n", "twice.txt")));
        Assert.Contains("'a' is listed twice", twice.Message);
    }

    [Fact]
    public void ImageOnlyRowsNeedOnlyTheImageColumn()
    {
        using var folder = new TempFolder();
        var set = EvaluationData.ReadImages(Write(folder, "filepath,note\nx.png,1\ny.png,2\n", "m.csv"), "filepath", []);
        Assert.Equal(["x.png", "y.png"], set.Rows.Select(r => r.ImageKey));
        var alone = Assert.ThrowsAny<IOException>(() => EvaluationData.ReadImages(Write(folder, "filepath\nx.png\n", "alone.tsv"), "filepath", []));
        Assert.Contains("only the column 'filepath'", alone.Message);
    }

    [Fact]
    public void ShardsReadLabelsFromTheirJsonAndKeepAnImageWithSeveralCaptionsOne()
    {
        using var folder = new TempFolder();
        foreach (var name in new[] { "a.png", "b.png", "c.png" })
            File.WriteAllBytes(folder.File(name), TrainingTestData.Png(4, 4, new byte[4 * 4 * 3]));
        var manifest = ManifestSource.Open(Write(folder, Manifest));
        var summary = ShardWriter.Write(manifest, folder.File("shards"));
        Assert.Equal(4, summary.Written);

        var labels = EvaluationData.Read(summary.Pattern, "filepath", "category", "label", [ColumnFilter.Parse("split=train")]);
        Assert.Equal(["animal", "animal"], labels.Rows.Select(r => r.Text));
        Assert.Equal(["a.png", "a.png"], labels.Rows.Select(r => r.ImageKey));
        Assert.Single(LabelledImages.From(labels.Rows).Images);

        var captions = EvaluationData.Read(summary.Pattern, "filepath", "title", "caption", []);
        Assert.Equal(["a cat", "a kitten", "a car", "a dog"], captions.Rows.Select(r => r.Text));

        var missing = Assert.Throws<InvalidDataException>(() => EvaluationData.Read(summary.Pattern, "filepath", "colour", "label", []));
        Assert.Contains("no label field 'colour'", missing.Message);
        Assert.Contains("'category'", missing.Message);
    }
}
