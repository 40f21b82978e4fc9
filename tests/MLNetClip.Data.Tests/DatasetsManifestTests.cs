using System.Text;
using System.Text.Json;
using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.Tests;

public class DatasetsManifestTests
{
    [Fact]
    public void OpenClipTsvResolvesPathsAgainstTheManifestFolderNotTheWorkingFolder()
    {
        using var dir = new TempDirectory();
        dir.Write("imgs/a.png", TestPng.Make(2, 2, 1));
        dir.Write("data/b.jpg", [1, 2, 3]);
        var manifest = dir.Write("data/train.tsv", "filepath\ttitle\n../imgs/a.png\ta red square\nb.jpg\tblue, \"quoted\" words\n");

        var source = ManifestSource.Open(manifest);

        Assert.Equal(2, source.Count);
        Assert.Equal(dir.File("imgs/a.png"), source[0].ImagePath);
        Assert.Equal("a red square", source[0].Caption);
        Assert.Equal("png", source[0].ImageExtension);
        Assert.Equal(TestPng.Make(2, 2, 1), source[0].ReadImageBytes());
        // A quote inside an unquoted field is text, as pandas reads it.
        Assert.Equal("blue, \"quoted\" words", source[1].Caption);
        Assert.Equal([1, 2, 3], source[1].ReadImageBytes());
        Assert.Null(source.ClassNames);
        Assert.Equal([manifest], source.Partitions);
        Assert.Equal(source.ToArray(), source.ReadAll().ToArray());
    }

    [Fact]
    public void CsvWithCustomColumnsQuotingAndLabels()
    {
        using var dir = new TempDirectory();
        var csv = "id,image,caption,kind\r\n" +
                  "1,x/1.png,\"a cat, sitting\",cat\r\n" +
                  "2,x/2.png,\"two\nlines and \"\"quotes\"\"\",dog\r\n" +
                  "\r\n" +
                  "3,x/3.png,plain,cat\r\n";
        var manifest = dir.Write("m.csv", csv);

        var source = ManifestSource.Open(manifest, new ManifestOptions
        {
            Separator = ',', PathColumn = "image", CaptionColumn = "caption", LabelColumn = "kind",
        });

        Assert.Equal(["cat", "dog"], source.ClassNames!);
        Assert.Equal(["a cat, sitting", "two\nlines and \"quotes\"", "plain"], source.Select(r => r.Caption));
        Assert.Equal([0, 1, 0], source.Select(r => r.Label!.Value));
        Assert.Equal("3", source[2].Metadata["id"]);
        Assert.Equal("cat", source[2].Metadata["kind"]);
        // The third data row starts on line 6: the quoted line break and the blank line both count.
        Assert.EndsWith("line 6", source[2].Origin);
    }

    [Fact]
    public void MissingColumnNamesFileLineAndColumnAndSuggestsTheSeparator()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("m.tsv", "filepath,title\na.png,x\n");
        var ex = Assert.Throws<DatasetFormatException>(() => ManifestSource.Open(manifest));
        Assert.Contains(manifest, ex.Message);
        Assert.Contains("line 1", ex.Message);
        Assert.Contains("'filepath'", ex.Message);
        Assert.Contains("separator", ex.Message);
    }

    [Fact]
    public void RaggedRowNamesItsLine()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("m.tsv", "filepath\ttitle\na.png\tok\nb.png\tone\ttoo many\n");
        var ex = Assert.Throws<DatasetFormatException>(() => ManifestSource.Open(manifest));
        Assert.Contains($"{manifest}: line 3", ex.Message);
        Assert.Contains("3 fields", ex.Message);
    }

    [Fact]
    public void UnclosedQuoteNamesTheLineItStartedOn()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("m.csv", "filepath,title\na.png,fine\nb.png,\"never closed\nc.png,x\n");
        var ex = Assert.Throws<DatasetFormatException>(() => ManifestSource.Open(manifest));
        Assert.Contains("line 3, field 2", ex.Message);
        Assert.Contains("never closed", ex.Message);
    }

    [Fact]
    public void TextAfterAClosingQuoteIsAnError()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("m.csv", "filepath,title\na.png,\"quoted\"tail\n");
        var ex = Assert.Throws<DatasetFormatException>(() => ManifestSource.Open(manifest));
        Assert.Contains("line 2, field 2", ex.Message);
    }

    [Fact]
    public void EmptyPathGivesARecordWithoutImageAndMissingFileFailsOnRead()
    {
        using var dir = new TempDirectory();
        var manifest = dir.Write("m.tsv", "filepath\ttitle\n\tno image here\ngone.png\tmissing file\n");
        var source = ManifestSource.Open(manifest);

        Assert.False(source[0].HasImage);
        Assert.Equal("no image here", source[0].Caption);
        Assert.True(source[1].HasImage);
        var ex = Assert.Throws<FileNotFoundException>(() => source[1].ReadImageBytes());
        Assert.Contains(dir.File("gone.png"), ex.Message);
        Assert.Contains("line 3", ex.Message);
    }

    [Fact]
    public void WriterOutputReadsBackFieldForField()
    {
        using var dir = new TempDirectory();
        var rows = AwkwardRows(seed: 7, count: 60);
        var path = dir.File("w.tsv");
        using (var writer = new ManifestWriter(path, ["filepath", "title", "extra"]))
        {
            foreach (var r in rows) writer.WriteRow(r);
            Assert.False(File.Exists(path)); // nothing under the real name until committed
            writer.Commit();
        }
        var source = ManifestSource.Open(path);
        Assert.Equal(rows.Select(r => r[1]), source.Select(r => r.Caption));
        Assert.Equal(rows.Select(r => r[2]), source.Select(r => r.Metadata["extra"]));
        Assert.Equal(rows.Select(r => r[0].Trim()), source.Select(r => r.Key));
    }

    [Fact]
    public void AbandonedWriterLeavesNoFile()
    {
        using var dir = new TempDirectory();
        using (var writer = new ManifestWriter(dir.File("w.tsv"), ["filepath", "title"]))
            writer.WriteRow(["a.png", "x"]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    /// <summary>Python's csv module is an independent RFC 4180 implementation: both directions must agree with it.</summary>
    [FactWhenTool("python3")]
    public void AgreesWithPythonCsvInBothDirections()
    {
        using var dir = new TempDirectory();
        var rows = AwkwardRows(seed: 11, count: 80);
        var ours = dir.File("ours.csv");
        using (var writer = new ManifestWriter(ours, ["filepath", "title", "extra"], separator: ','))
        {
            foreach (var r in rows) writer.WriteRow(r);
            writer.Commit();
        }
        var input = dir.Write("rows.json", JsonSerializer.Serialize(rows));
        var script = dir.Write("check.py", """
            import csv, json, sys
            rows = json.load(open(sys.argv[1], encoding="utf-8"))
            with open(sys.argv[2], newline="", encoding="utf-8") as f:
                read = list(csv.reader(f))
            assert read[0] == ["filepath", "title", "extra"], read[0]
            assert read[1:] == rows, "python read different rows"
            with open(sys.argv[3], "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
                w.writerow(["filepath", "title", "extra"])
                w.writerows(rows)
            print("ok")
            """);
        var theirs = dir.File("theirs.csv");
        Assert.Equal("ok", Tool.RunText("python3", script, input, ours, theirs).Trim());

        var source = ManifestSource.Open(theirs, ManifestOptions.Csv);
        Assert.Equal(rows.Select(r => r[1]), source.Select(r => r.Caption));
        Assert.Equal(rows.Select(r => r[2]), source.Select(r => r.Metadata["extra"]));
    }

    /// <summary>Rows full of separators, quotes, line breaks and non-ASCII text.</summary>
    private static List<string[]> AwkwardRows(int seed, int count)
    {
        var rng = new Random(seed);
        string[] pieces = ["a", "cat", " ", ",", "\t", "\"", "\"\"", "\n", "\r\n", "é", "猫", "🙂", "x y", "'"];
        string Field(bool path)
        {
            var sb = new StringBuilder(path ? "img/" : "");
            var n = rng.Next(1, 6);
            for (var i = 0; i < n; i++) sb.Append(path ? "p" + rng.Next(100) : pieces[rng.Next(pieces.Length)]);
            return path ? sb + ".png" : sb.ToString().Trim() is { Length: > 0 } t ? sb.ToString() : "x";
        }
        return Enumerable.Range(0, count).Select(_ => new[] { Field(true), Field(false), Field(false) }).ToList();
    }
}
