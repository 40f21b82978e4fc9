using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.Tests;

public class DatasetsImageFolderTests
{
    [Fact]
    public void SubFoldersAreClassesInOrdinalOrderAndNamesAreCaptions()
    {
        using var dir = new TempDirectory();
        dir.Write("zebra/2.png", [2]);
        dir.Write("zebra/10.png", [10]);
        dir.Write("ant/deep/x.JPG", [3]);
        dir.Write("ant/notes.txt", "not an image");
        dir.Write("ant/.hidden.png", [4]);
        dir.Write(".cache/z.png", [5]);
        dir.Write("loose.png", [6]);
        Directory.CreateDirectory(dir.File("empty"));

        var source = ImageFolderSource.Open(dir.Path);

        Assert.Equal(["ant", "empty", "zebra"], source.ClassNames);
        Assert.Equal(["ant/deep/x.JPG", "zebra/10.png", "zebra/2.png"], source.Select(r => r.Key));
        Assert.Equal([0, 2, 2], source.Select(r => r.Label!.Value));
        Assert.Equal(["ant", "zebra", "zebra"], source.Select(r => r.Caption));
        Assert.Equal("jpg", source[0].ImageExtension);
        Assert.Equal([10], source[1].ReadImageBytes());
    }

    [Fact]
    public void AFolderWithoutClassFoldersIsAClearError()
    {
        using var dir = new TempDirectory();
        dir.Write("a.png", [1]);
        var ex = Assert.Throws<InvalidDataException>(() => ImageFolderSource.Open(dir.Path));
        Assert.Contains(dir.Path, ex.Message);
        Assert.Contains("class sub-folders", ex.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolderSource.Open(dir.File("nope")));
    }
}
