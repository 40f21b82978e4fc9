using MLNetClip.Data.Text;

namespace MLNetClip.Data.Tests;

/// <summary>One tokenizer shared by many threads, as the data loader's workers share it.</summary>
public class TokenizerConcurrencyTests
{
    [Fact]
    public void ThreadsSharingAFreshTokenizerGetTheSequentialResults()
    {
        // Many distinct words so the threads race to fill the word cache, not just read it.
        var rng = new Random(99);
        var words = Enumerable.Range(0, 3000).Select(_ => new string(Enumerable.Range(0, rng.Next(1, 18)).Select(_ => (char)('a' + rng.Next(26))).ToArray())).ToArray();
        var texts = Enumerable.Range(0, 4000).Select(_ => string.Join(' ', Enumerable.Range(0, rng.Next(1, 20)).Select(_ => words[rng.Next(words.Length)]))).ToArray();

        var vocabPath = SharedPaths.Data("clip", "bpe_simple_vocab_16e6.txt.gz");
        var reference = ClipTokenizer.FromOpenAiMerges(vocabPath);
        var expected = texts.Select(t => reference.EncodeRow(t)).ToArray();

        var shared = ClipTokenizer.FromOpenAiMerges(vocabPath);
        const int threadCount = 8;
        var results = new long[threadCount][][];
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(threadCount);
        var threads = Enumerable.Range(0, threadCount).Select(t => new Thread(() =>
        {
            try
            {
                var mine = new long[texts.Length][];
                start.SignalAndWait();
                // Each thread walks the texts from its own offset so that all of them meet new words.
                for (var k = 0; k < texts.Length; k++)
                {
                    var i = (k + t * texts.Length / threadCount) % texts.Length;
                    mine[i] = shared.EncodeRow(texts[i]);
                }
                results[t] = mine;
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        })).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();

        Assert.Empty(errors);
        for (var t = 0; t < threadCount; t++)
        {
            for (var i = 0; i < texts.Length; i++) Assert.Equal(expected[i], results[t][i]);
        }
    }
}
