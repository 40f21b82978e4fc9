using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Microsoft.ML.Tokenizers;
using MLNetClip.Torch;

namespace MLNetClip.Data.Text;

/// <summary>
/// CLIP's byte-level BPE tokenizer, producing the same ids as OpenAI CLIP / open_clip
/// (<c>SimpleTokenizer</c>, lower-case clean-up): start token, BPE ids, end token, zero padding.
/// </summary>
/// <remarks>
/// <para>Pipeline: <see cref="ClipTextCleaner"/> (HTML references decoded twice, white space
/// collapsed, lower-cased like Python), <see cref="ClipPreTokenizer"/> (CLIP's word pattern), then
/// BPE per word. The merge step is Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// (byte-level, "&lt;/w&gt;" end-of-word suffix), which reproduces the reference ids; clean-up and
/// word splitting are ours because the library's regex pre-tokenizer and normalizers do not match
/// Python's code-point semantics exactly (see those classes).</para>
/// <para>Thread safety: an instance is immutable apart from its word cache, a concurrent
/// dictionary, so one instance may be shared by any number of threads (the data loader's workers).</para>
/// </remarks>
public sealed class ClipTokenizer
{
    /// <summary>CLIP's context length.</summary>
    public const int DefaultContextLength = 77;

    /// <summary>Padding id after the end token (open_clip pads with 0, which is also the id of "!").</summary>
    public const int PadId = 0;

    // Distinct words remembered; past this, new words are encoded each time (a bound on memory for
    // endless streams of rare words). Caption corpora reuse a few hundred thousand words heavily.
    private const int MaxCachedWords = 1 << 20;

    private static readonly Lazy<ClipTokenizer> DefaultInstance = new(LoadEmbedded);

    private readonly BpeTokenizer _bpe;
    private readonly string[] _idToToken;
    private readonly ConcurrentDictionary<string, int[]> _wordCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;

    private ClipTokenizer(ClipVocabulary vocabulary)
    {
        StartId = LookUpSpecial(vocabulary, ClipPreTokenizer.StartOfText);
        EndId = LookUpSpecial(vocabulary, ClipPreTokenizer.EndOfText);
        var size = vocabulary.TokenToId.Values.Max() + 1;
        _idToToken = new string[size];
        foreach (var (token, id) in vocabulary.TokenToId)
        {
            if (id < 0) throw new InvalidDataException($"{vocabulary.Source}: token '{token}' has negative id {id}");
            if (_idToToken[id] is { } other) throw new InvalidDataException($"{vocabulary.Source}: tokens '{other}' and '{token}' share id {id}");
            _idToToken[id] = token;
        }
        foreach (var symbol in ByteSymbols.InVocabularyOrder)
        {
            if (!vocabulary.TokenToId.ContainsKey(symbol) || !vocabulary.TokenToId.ContainsKey(symbol + ByteSymbols.EndOfWord))
                throw new InvalidDataException($"{vocabulary.Source}: byte symbol '{symbol}' (or its '</w>' form) is missing; a byte-level vocabulary needs all 512");
        }

        try
        {
            _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary.TokenToId)
            {
                Merges = vocabulary.Merges,
                ByteLevel = true,
                EndOfWordSuffix = ByteSymbols.EndOfWord,
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{vocabulary.Source}: the BPE tables are inconsistent ({e.Message})", e);
        }
        _wordCache[ClipPreTokenizer.StartOfText] = [StartId];
        _wordCache[ClipPreTokenizer.EndOfText] = [EndId];
        _wordLookup = _wordCache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The tokenizer for OpenAI's vocabulary, embedded in this assembly; needs no files.</summary>
    public static ClipTokenizer Default => DefaultInstance.Value;

    /// <summary>Id of &lt;|startoftext|&gt; (49406 in OpenAI's vocabulary).</summary>
    public int StartId { get; }

    /// <summary>Id of &lt;|endoftext|&gt; (49407 in OpenAI's vocabulary).</summary>
    public int EndId { get; }

    /// <summary>Number of ids (49408 in OpenAI's vocabulary).</summary>
    public int VocabularySize => _idToToken.Length;

    /// <summary>Loads OpenAI's <c>bpe_simple_vocab_16e6.txt.gz</c> (or the same file uncompressed).</summary>
    public static ClipTokenizer FromOpenAiMerges(string path)
    {
        using var stream = OpenFile(path);
        return FromOpenAiMerges(stream, path);
    }

    /// <summary>Loads OpenAI's merges file from a stream; <paramref name="source"/> names it in errors.</summary>
    public static ClipTokenizer FromOpenAiMerges(Stream stream, string source = "stream") =>
        new(ClipVocabulary.FromOpenAiMerges(stream, source));

    /// <summary>Loads a Hugging Face <c>CLIPTokenizer</c>'s <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    public static ClipTokenizer FromHuggingFace(string vocabJsonPath, string mergesTxtPath)
    {
        using var vocab = OpenFile(vocabJsonPath);
        using var merges = OpenFile(mergesTxtPath);
        return FromHuggingFace(vocab, merges, vocabJsonPath, mergesTxtPath);
    }

    /// <summary>Loads Hugging Face <c>vocab.json</c> and <c>merges.txt</c> contents from streams.</summary>
    public static ClipTokenizer FromHuggingFace(Stream vocabJson, Stream mergesTxt, string vocabSource = "vocab.json", string mergesSource = "merges.txt") =>
        new(ClipVocabulary.FromHuggingFace(vocabJson, vocabSource, mergesTxt, mergesSource));

    /// <summary>The clean-up applied before splitting: HTML references decoded twice, white space collapsed, lower case.</summary>
    public static string Clean(string text) => ClipTextCleaner.Clean(text ?? throw new ArgumentNullException(nameof(text)));

    /// <summary>The BPE ids of <paramref name="text"/>, without start and end tokens.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        AppendIds(Clean(text), ids, int.MaxValue);
        return ids;
    }

    /// <summary>
    /// One context row: start token, ids, end token, then <see cref="PadId"/>. A text too long for
    /// the row is cut so that the end token still comes last.
    /// </summary>
    public long[] EncodeRow(string text, int contextLength = DefaultContextLength)
    {
        CheckContextLength(contextLength);
        var row = new long[contextLength];
        EncodeRow(text, row);
        return row;
    }

    /// <summary>
    /// Writes one context row (see <see cref="EncodeRow(string,int)"/>) into <paramref name="row"/>,
    /// whose length is the context length. Returns how many entries precede the padding (start and
    /// end tokens included).
    /// </summary>
    public int EncodeRow(string text, Span<long> row)
    {
        CheckContextLength(row.Length);
        var ids = new List<int>(Math.Min(row.Length, 32));
        // Only row.Length − 2 ids can fit; the rest would be cut anyway, so stop encoding there.
        AppendIds(Clean(text), ids, row.Length - 2);
        row[0] = StartId;
        for (var i = 0; i < ids.Count; i++) row[i + 1] = ids[i];
        row[ids.Count + 1] = EndId;
        row[(ids.Count + 2)..].Fill(PadId);
        return ids.Count + 2;
    }

    /// <summary>A batch of context rows as an int64 tensor [texts.Count, contextLength] on the CPU.</summary>
    public Tensor Tokenize(IReadOnlyList<string> texts, int contextLength = DefaultContextLength)
    {
        ArgumentNullException.ThrowIfNull(texts);
        CheckContextLength(contextLength);
        var data = new long[(long)texts.Count * contextLength];
        for (var i = 0; i < texts.Count; i++)
        {
            EncodeRow(texts[i], data.AsSpan(i * contextLength, contextLength));
        }
        return Tensor.FromArray(data, texts.Count, contextLength);
    }

    /// <summary>
    /// Text for ids: BPE tokens joined, bytes decoded as UTF-8 (invalid sequences become U+FFFD),
    /// each end-of-word mark turned into a space, ends trimmed. The start token is skipped and
    /// decoding stops at the first end token, so a padded row decodes to its text.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_idToToken.Length || _idToToken[id] is null)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is not in the vocabulary (0..{_idToToken.Length - 1})");
            if (id == StartId) continue;
            if (id == EndId) break;
            foreach (var symbol in _idToToken[id])
            {
                var b = ByteSymbols.ToByte(symbol);
                if (b < 0) throw new InvalidDataException($"token {id} ('{_idToToken[id]}') contains '{symbol}', which is not a byte symbol");
                bytes.Add((byte)b);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).Replace(ByteSymbols.EndOfWord, " ", StringComparison.Ordinal).Trim();
    }

    private void AppendIds(string cleaned, List<int> ids, int limit)
    {
        foreach (var (start, length) in ClipPreTokenizer.EnumerateWords(cleaned))
        {
            if (ids.Count >= limit) return;
            var word = cleaned.AsSpan(start, length);
            if (!_wordLookup.TryGetValue(word, out var wordIds))
            {
                wordIds = EncodeWord(word.ToString());
            }
            var take = Math.Min(wordIds.Length, limit - ids.Count);
            for (var i = 0; i < take; i++) ids.Add(wordIds[i]);
        }
    }

    private int[] EncodeWord(string word)
    {
        var ids = _bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false).ToArray();
        if (_wordCache.Count < MaxCachedWords) _wordCache.TryAdd(word, ids);
        return ids;
    }

    private static void CheckContextLength(int contextLength)
    {
        if (contextLength < 2)
            throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "the context length must be at least 2 (start and end tokens)");
    }

    private static int LookUpSpecial(ClipVocabulary vocabulary, string token) =>
        vocabulary.TokenToId.TryGetValue(token, out var id)
            ? id
            : throw new InvalidDataException($"{vocabulary.Source}: the special token '{token}' is missing from the vocabulary");

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer file '{path}' does not exist", path);
        return File.OpenRead(path);
    }

    private static ClipTokenizer LoadEmbedded()
    {
        const string resource = "MLNetClip.Data.Resources.bpe_simple_vocab_16e6.txt.gz";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource '{resource}' is missing from {typeof(ClipTokenizer).Assembly.GetName().Name}");
        return FromOpenAiMerges(stream, resource);
    }
}
