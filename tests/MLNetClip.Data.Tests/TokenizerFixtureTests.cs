using System.IO.Compression;
using System.Text;
using System.Text.Json;
using MLNetClip.Data.Text;

namespace MLNetClip.Data.Tests;

/// <summary>
/// Ids and 77-token rows against the reference fixture (open_clip's SimpleTokenizer output), for the
/// embedded vocabulary, the shared gz file, and Hugging Face files written from that gz file.
/// </summary>
public class TokenizerFixtureTests
{
    private sealed record Case(string Text, int[] Ids, long[] Row77);

    private static readonly Lazy<(Case[] Cases, int Sot, int Eot, int ContextLength)> Fixture = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedPaths.Fixture("clip_tokenizer_cases.json")));
        var root = doc.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("text").GetString()!,
            c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("row77").EnumerateArray().Select(e => e.GetInt64()).ToArray())).ToArray();
        return (cases, root.GetProperty("sot").GetInt32(), root.GetProperty("eot").GetInt32(), root.GetProperty("context_length").GetInt32());
    });

    [Fact]
    public void FixtureHasCasesWorthChecking()
    {
        var (cases, _, _, contextLength) = Fixture.Value;
        Assert.True(cases.Length >= 20);
        Assert.Contains(cases, c => c.Ids.Length > contextLength - 2); // at least one truncated row
        Assert.Contains(cases, c => c.Text.Length == 0);
    }

    [Fact]
    public void DefaultTokenizerMatchesEveryFixtureCase() => AssertMatchesFixture(ClipTokenizer.Default);

    [Fact]
    public void GzVocabularyFileMatchesEveryFixtureCase() =>
        AssertMatchesFixture(ClipTokenizer.FromOpenAiMerges(SharedPaths.Data("clip", "bpe_simple_vocab_16e6.txt.gz")));

    [Fact]
    public void UncompressedVocabularyStreamMatchesEveryFixtureCase()
    {
        using var gz = new GZipStream(File.OpenRead(SharedPaths.Data("clip", "bpe_simple_vocab_16e6.txt.gz")), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gz.CopyTo(plain);
        plain.Position = 0;
        AssertMatchesFixture(ClipTokenizer.FromOpenAiMerges(plain, "plain merges"));
    }

    [Fact]
    public void HuggingFaceFilesMatchEveryFixtureCase()
    {
        var dir = Directory.CreateTempSubdirectory("hf-clip-tok-");
        try
        {
            var (vocabPath, mergesPath) = WriteHuggingFaceFiles(dir.FullName);
            var tokenizer = ClipTokenizer.FromHuggingFace(vocabPath, mergesPath);
            Assert.Equal(49408, tokenizer.VocabularySize);
            AssertMatchesFixture(tokenizer);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void AssertMatchesFixture(ClipTokenizer tokenizer)
    {
        var (cases, sot, eot, contextLength) = Fixture.Value;
        Assert.Equal(sot, tokenizer.StartId);
        Assert.Equal(eot, tokenizer.EndId);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            var ids = tokenizer.Encode(c.Text);
            if (!ids.SequenceEqual(c.Ids)) failures.Add($"ids of {JsonSerializer.Serialize(c.Text)}: [{string.Join(' ', ids)}] != [{string.Join(' ', c.Ids)}]");
            var row = tokenizer.EncodeRow(c.Text, contextLength);
            if (!row.SequenceEqual(c.Row77)) failures.Add($"row of {JsonSerializer.Serialize(c.Text)}: [{string.Join(' ', row)}]");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Writes vocab.json and merges.txt the way Hugging Face's CLIPTokenizer files are laid out,
    /// deriving them from OpenAI's gz file independently of the code under test: byte symbols by
    /// GPT-2's rule, ids explicit in the JSON (written in reverse id order, so the loader cannot
    /// rely on key order), merges after a "#version" header.
    /// </summary>
    internal static (string VocabPath, string MergesPath) WriteHuggingFaceFiles(string dir, string? leaveOut = null)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(SharedPaths.Data("clip", "bpe_simple_vocab_16e6.txt.gz")), CompressionMode.Decompress));
        var merges = reader.ReadToEnd().Split('\n').Skip(1).Take(49152 - 256 - 2).ToList();

        var visible = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToList();
        var symbols = visible.Select(b => ((char)b).ToString()).ToList();
        var extra = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!visible.Contains(b)) symbols.Add(((char)(256 + extra++)).ToString());
        }
        var tokens = symbols.Concat(symbols.Select(s => s + "</w>")).Concat(merges.Select(m => m.Replace(" ", ""))).ToList();
        tokens.Add("<|startoftext|>");
        tokens.Add("<|endoftext|>");

        var vocabPath = Path.Combine(dir, "vocab.json");
        using (var stream = File.Create(vocabPath))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            for (var id = tokens.Count - 1; id >= 0; id--)
            {
                if (tokens[id] != leaveOut) json.WriteNumber(tokens[id], id);
            }
            json.WriteEndObject();
        }
        var mergesPath = Path.Combine(dir, "merges.txt");
        File.WriteAllText(mergesPath, "#version: 0.2\n" + string.Join("\n", merges) + "\n", new UTF8Encoding(false));
        return (vocabPath, mergesPath);
    }
}
