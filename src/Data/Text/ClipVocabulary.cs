using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MLNetClip.Data.Text;

/// <summary>
/// The token table and merge list of a CLIP byte-level BPE, read from either of its two published
/// layouts: OpenAI's <c>bpe_simple_vocab_16e6.txt.gz</c> (merges only; the ids follow from them) or a
/// Hugging Face <c>vocab.json</c> + <c>merges.txt</c> pair.
/// </summary>
internal sealed class ClipVocabulary
{
    /// <summary>CLIP keeps the first 49152 − 256 − 2 merges of OpenAI's file: 49,408 tokens in all.</summary>
    public const int OpenAiMergeCount = 49152 - 256 - 2;

    public required IReadOnlyDictionary<string, int> TokenToId { get; init; }

    /// <summary>Merges in priority order, each "left right".</summary>
    public required IReadOnlyList<string> Merges { get; init; }

    /// <summary>Where the table came from, for error messages.</summary>
    public required string Source { get; init; }

    /// <summary>
    /// Reads OpenAI's merges file (gzip-compressed or plain; detected from its first bytes).
    /// Format: line 0 is a version header, then one merge per line, two symbols separated by a space.
    /// Ids: the 256 byte symbols, the same with "&lt;/w&gt;", one per merge (its two halves joined),
    /// then &lt;|startoftext|&gt; and &lt;|endoftext|&gt;.
    /// </summary>
    public static ClipVocabulary FromOpenAiMerges(Stream stream, string source)
    {
        // The file holds far more merges than CLIP uses; reading stops once it has them.
        var lines = ReadLines(stream, source, OpenAiMergeCount + 1);
        if (lines.Count < OpenAiMergeCount + 1)
            throw new InvalidDataException($"{source}: expected a header line and at least {OpenAiMergeCount} merge lines, found {lines.Count} lines");

        var merges = new List<string>(OpenAiMergeCount);
        for (var i = 1; i <= OpenAiMergeCount; i++)
        {
            merges.Add(CheckMerge(lines[i], source, i + 1));
        }

        var vocab = new Dictionary<string, int>(OpenAiMergeCount + 512 + 2, StringComparer.Ordinal);
        foreach (var symbol in ByteSymbols.InVocabularyOrder) vocab.Add(symbol, vocab.Count);
        foreach (var symbol in ByteSymbols.InVocabularyOrder) vocab.Add(symbol + ByteSymbols.EndOfWord, vocab.Count);
        foreach (var merge in merges) vocab.TryAdd(merge.Replace(" ", "", StringComparison.Ordinal), vocab.Count);
        if (vocab.Count != 512 + OpenAiMergeCount)
            throw new InvalidDataException($"{source}: {512 + OpenAiMergeCount - vocab.Count} merges repeat an earlier result; CLIP's table has none");
        vocab.Add(ClipPreTokenizer.StartOfText, vocab.Count);
        vocab.Add(ClipPreTokenizer.EndOfText, vocab.Count);
        return new ClipVocabulary { TokenToId = vocab, Merges = merges, Source = source };
    }

    /// <summary>
    /// Reads the Hugging Face layout: <c>vocab.json</c> maps each token to its id; <c>merges.txt</c>
    /// lists merges in priority order after an optional "#version" header line.
    /// </summary>
    public static ClipVocabulary FromHuggingFace(Stream vocabJson, string vocabSource, Stream mergesText, string mergesSource)
    {
        var vocab = ReadVocabJson(vocabJson, vocabSource);
        var lines = ReadLines(mergesText, mergesSource, int.MaxValue);
        var merges = new List<string>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || (i == 0 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            var merge = CheckMerge(line, mergesSource, i + 1);
            var joined = merge.Replace(" ", "", StringComparison.Ordinal);
            if (!vocab.ContainsKey(joined))
                throw new InvalidDataException($"{mergesSource} line {i + 1}: merge '{line}' makes '{joined}', which {vocabSource} does not contain");
            merges.Add(merge);
        }
        return new ClipVocabulary { TokenToId = vocab, Merges = merges, Source = $"{vocabSource} + {mergesSource}" };
    }

    private static Dictionary<string, int> ReadVocabJson(Stream stream, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(stream);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: expected a JSON object mapping token strings to integer ids, found {document.RootElement.ValueKind}");
            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                    throw new InvalidDataException($"{source}: token '{entry.Name}' maps to {entry.Value.GetRawText()}, expected a non-negative integer id");
                if (!vocab.TryAdd(entry.Name, id))
                    throw new InvalidDataException($"{source}: token '{entry.Name}' appears twice");
            }
            if (vocab.Count == 0) throw new InvalidDataException($"{source}: the vocabulary is empty");
            return vocab;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e);
        }
    }

    private static string CheckMerge(string line, string source, int lineNumber)
    {
        var space = line.IndexOf(' ');
        if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
            throw new InvalidDataException($"{source} line {lineNumber}: expected two symbols separated by one space, found '{line}'");
        return line;
    }

    private static List<string> ReadLines(Stream stream, string source, int maxLines)
    {
        // Read it whole first: the file is small, and sniffing the gzip magic needs no seekable stream.
        using var raw = new MemoryStream();
        stream.CopyTo(raw);
        raw.Position = 0;
        var gzip = raw.Length >= 2 && raw.GetBuffer()[0] == 0x1F && raw.GetBuffer()[1] == 0x8B;
        using var text = gzip ? new GZipStream(raw, CompressionMode.Decompress) : (Stream)raw;
        var lines = new List<string>();
        try
        {
            using var reader = new StreamReader(text, new UTF8Encoding(false, throwOnInvalidBytes: true));
            while (lines.Count < maxLines && reader.ReadLine() is { } line) lines.Add(line);
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException)
        {
            throw new InvalidDataException($"{source}: not valid {(gzip ? "gzip-compressed " : "")}UTF-8 text after line {lines.Count} ({e.Message})", e);
        }
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }
}
