using MLNetClip.Data.Datasets;
using MLNetClip.Data.Shards;

namespace MLNetClip.Data.Tests;

/// <summary>--where COLUMN=VALUE: selecting manifest rows and shard samples by their other columns.</summary>
public class DatasetsFilterTests
{
    private const string Manifest =
        "filepath\ttitle\tsplit\tstyle\n" +
        "a.png\tone\ttrain\tgoogle\n" +
        "b.png\ttwo\ttest\tgoogle\n" +
        "c.png\tthree\ttrain\ttwitter\n" +
        "d.png\tfour\ttrain\tgoogle\n";

    [Fact]
    public void Rows_matching_every_filter_are_kept_in_order()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(dir.Write("m.tsv", Manifest));

        var train = (IIndexedImageTextSource)FilteredSource.Where(source, [ColumnFilter.Parse("split=train")]);
        var both = (IIndexedImageTextSource)FilteredSource.Where(source, [new("split", "train"), new("style", "google")]);

        Assert.Equal(["one", "three", "four"], train.Select(r => r.Caption));
        Assert.Equal(["one", "four"], both.Select(r => r.Caption));
        Assert.Equal(2, both.Count);
        Assert.Equal("four", both[1].Caption);
        Assert.EndsWith("where split=train and style=google", both.Description);
        Assert.Same(source, FilteredSource.Where(source, []));
    }

    [Fact]
    public void An_unknown_column_or_no_match_fails_naming_what_exists()
    {
        using var dir = new TempDirectory();
        var source = ManifestSource.Open(dir.Write("m.tsv", Manifest));

        var column = Assert.Throws<InvalidDataException>(() => FilteredSource.Where(source, [new("spilt", "train")]));
        Assert.Contains("no column 'spilt'", column.Message);
        Assert.Contains("split, style", column.Message);

        var value = Assert.Throws<InvalidDataException>(() => FilteredSource.Where(source, [new("split", "trian")]));
        Assert.Contains("split=trian", value.Message);
        Assert.Contains("'test', 'train'", value.Message);
    }

    [Theory]
    [InlineData("split")]
    [InlineData("=train")]
    public void A_filter_without_column_and_value_is_refused(string text) =>
        Assert.Throws<FormatException>(() => ColumnFilter.Parse(text));

    [Fact]
    public void The_value_keeps_everything_after_the_first_equals_sign() =>
        Assert.Equal(new ColumnFilter("note", "a=b"), ColumnFilter.Parse("note=a=b"));

    [Fact]
    public void Shard_samples_are_filtered_by_their_json_fields_as_they_stream()
    {
        using var dir = new TempDirectory();
        foreach (var name in new[] { "a", "b", "c", "d" }) dir.Write($"{name}.png", TestPng.Make(2, 2, name[0]));
        var summary = ShardWriter.Write(ManifestSource.Open(dir.Write("m.tsv", Manifest)), dir.File("shards"), "part", maxCount: 3);
        var shards = WebDatasetSource.Open(summary.Pattern);

        var test = FilteredSource.Where(shards, [new("split", "test")]);

        Assert.IsNotAssignableFrom<IIndexedImageTextSource>(test);
        Assert.Equal(shards.Partitions, test.Partitions);
        Assert.Equal(["two"], test.ReadAll().Select(r => r.Caption));
    }
}
