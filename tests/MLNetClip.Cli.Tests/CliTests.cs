using System.Text.Json;

// The commands write to Console; tests swap Console's writers, so they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace MLNetClip.Cli.Tests;

/// <summary>The mlnetclip commands run in-process, their output checked against the shared references.</summary>
public class CliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private static List<(string Text, long[] Ids, long[] Row)> TokenizerCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedPaths.Fixture("clip_tokenizer_cases.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!,
                c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
                c.GetProperty("row77").EnumerateArray().Select(x => x.GetInt64()).ToArray()))
            .ToList();
    }

    private static long[][] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ').Select(long.Parse).ToArray()).ToArray();

    [Fact]
    public void TokenizePrintsStartIdsEndPerTextAsTheReference()
    {
        var cases = TokenizerCases().Where(c => c.Ids.Length < 70).Take(8).ToList();
        var (exit, output, error) = Run(["tokenize", .. cases.Select(c => c.Text)]);
        Assert.True(exit == 0, error);
        var lines = Lines(output);
        Assert.Equal(cases.Count, lines.Length);
        for (var i = 0; i < cases.Count; i++)
            Assert.Equal([49406, .. cases[i].Ids, 49407], lines[i]);
    }

    [Fact]
    public void TokenizePadPrintsTheFull77TokenRow()
    {
        var cases = TokenizerCases();
        var (exit, output, error) = Run(["tokenize", "--pad", .. cases.Select(c => c.Text)]);
        Assert.True(exit == 0, error);
        var lines = Lines(output);
        for (var i = 0; i < cases.Count; i++)
            Assert.Equal(cases[i].Row, lines[i]);
    }

    [Fact]
    public void TokenizeWithTheVocabularyFileGivesTheSameIds()
    {
        var text = TokenizerCases()[0].Text;
        var (_, embedded, _) = Run("tokenize", text);
        var (exit, fromFile, error) = Run("tokenize", "--vocab", SharedPaths.Data("clip", "bpe_simple_vocab_16e6.txt.gz"), text);
        Assert.True(exit == 0, error);
        Assert.Equal(embedded, fromFile);
    }

    [Fact]
    public void TokenizeRejectsAMissingVocabularyWithAClearError()
    {
        var (exit, _, error) = Run("tokenize", "--vocab", "/nonexistent/vocab.txt.gz", "hello");
        Assert.NotEqual(0, exit);
        Assert.Contains("/nonexistent/vocab.txt.gz", error);
    }

    [Fact]
    public void CheckHfParityPassesOnTheFixtureAndFailsUnderAnImpossibleTolerance()
    {
        var dir = SharedPaths.Fixture("hf_clip_tiny_a");
        var (exit, output, error) = Run("check-hf-parity", dir);
        Assert.True(exit == 0, output + error);
        foreach (var name in new[] { "vision_last_hidden_state", "text_pooler_output", "logits_per_image", "loss", "grad.logit_scale" })
            Assert.Contains(name, output);

        // The same check must be able to fail: nothing matches to 1e-12 in float32.
        var (strictExit, strictOutput, _) = Run("check-hf-parity", dir, "--tolerance", "1e-12");
        Assert.Equal(1, strictExit);
        Assert.Contains("1E-12", strictOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CheckHfParityOnAMissingDirectoryIsABadInput()
    {
        var (exit, _, error) = Run("check-hf-parity", "/nonexistent/model");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("/nonexistent/model", error);
    }

    [Fact]
    public void SelfCheckFitsTheRegression()
    {
        var (exit, output, error) = Run("selfcheck");
        Assert.True(exit == 0, output + error);
        Assert.Contains("selfcheck     OK", output);
        Assert.Contains("openblas", output);
    }
}
