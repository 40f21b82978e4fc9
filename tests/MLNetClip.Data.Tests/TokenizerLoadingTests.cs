using System.IO.Compression;
using System.Text;
using MLNetClip.Data.Text;

namespace MLNetClip.Data.Tests;

/// <summary>Bad tokenizer files fail with an exception that names the file and what was expected.</summary>
public class TokenizerLoadingTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("clip-tok-load-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string WriteFile(string name, string content, bool gzip = false)
    {
        var path = Path.Combine(_dir.FullName, name);
        var bytes = Encoding.UTF8.GetBytes(content);
        if (gzip)
        {
            using var file = File.Create(path);
            using var gz = new GZipStream(file, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
        return path;
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var path = Path.Combine(_dir.FullName, "nope.txt.gz");
        var e = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.FromOpenAiMerges(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TooFewMergesIsRejected()
    {
        var path = WriteFile("short.txt.gz", "#version: 0.2\ni n\nt h\n", gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromOpenAiMerges(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("48894", e.Message);
    }

    [Fact]
    public void MalformedMergeLineIsNamedByLineNumber()
    {
        var lines = new List<string> { "#version: 0.2" };
        lines.AddRange(Enumerable.Repeat("i n", ClipVocabulary.OpenAiMergeCount));
        lines[7] = "three parts here";
        var path = WriteFile("bad.txt", string.Join('\n', lines));
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromOpenAiMerges(path));
        Assert.Contains("line 8", e.Message);
        Assert.Contains("three parts here", e.Message);
    }

    [Fact]
    public void TruncatedOrCorruptGzipIsRejected()
    {
        var good = File.ReadAllBytes(SharedPaths.Data("clip", "bpe_simple_vocab_16e6.txt.gz"));
        var cut = Path.Combine(_dir.FullName, "cut.txt.gz");
        File.WriteAllBytes(cut, good[..(good.Length / 50)]);
        Assert.Contains(cut, Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromOpenAiMerges(cut)).Message);

        var garbage = Path.Combine(_dir.FullName, "garbage.txt.gz");
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        bytes[0] = 0x1F;
        bytes[1] = 0x8B;
        File.WriteAllBytes(garbage, bytes);
        Assert.Contains(garbage, Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromOpenAiMerges(garbage)).Message);
    }

    [Fact]
    public void HuggingFaceVocabularyMustBeAnObjectOfIds()
    {
        var merges = WriteFile("merges.txt", "#version: 0.2\n");
        var notObject = WriteFile("a.json", "[1, 2]");
        Assert.Contains("a.json", Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromHuggingFace(notObject, merges)).Message);
        var badId = WriteFile("b.json", "{\"a\": \"x\"}");
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromHuggingFace(badId, merges));
        Assert.Contains("'a'", e.Message);
        var broken = WriteFile("c.json", "{\"a\": 1");
        Assert.Contains("c.json", Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromHuggingFace(broken, merges)).Message);
    }

    [Fact]
    public void HuggingFaceMergeWithoutItsTokenIsRejected()
    {
        var (vocabPath, mergesPath) = TokenizerFixtureTests.WriteHuggingFaceFiles(_dir.FullName);
        File.AppendAllText(mergesPath, "q zzzz\n");
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromHuggingFace(vocabPath, mergesPath));
        Assert.Contains("qzzzz", e.Message);
        Assert.Contains("merges.txt line", e.Message);
    }

    [Fact]
    public void HuggingFaceVocabularyWithoutSpecialTokensIsRejected()
    {
        var (vocabPath, mergesPath) = TokenizerFixtureTests.WriteHuggingFaceFiles(_dir.FullName, leaveOut: "<|endoftext|>");
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromHuggingFace(vocabPath, mergesPath));
        Assert.Contains("<|endoftext|>", e.Message);
    }
}
