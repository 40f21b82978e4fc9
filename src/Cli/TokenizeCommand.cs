using System.CommandLine;
using MLNetClip.Data.Text;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip tokenize TEXT...`: prints each text's CLIP token row, one line per text, ids
/// separated by spaces: start token, BPE ids, end token (cut to the context length with the end
/// token kept last), and with --pad the zero padding up to the context length as well.
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var vocab = new Option<string?>("--vocab")
        {
            HelpName = "FILE",
            Description = "bpe_simple_vocab_16e6.txt.gz (or uncompressed), a Hugging Face vocab.json, or a folder holding vocab.json and merges.txt; default: the embedded OpenAI vocabulary",
        };
        var merges = new Option<string?>("--merges") { HelpName = "FILE", Description = "merges.txt to go with a vocab.json (default: merges.txt beside it)" };
        var contextLength = new Option<int>("--context-length")
        {
            HelpName = "N",
            Description = "tokens per row, start and end included",
            DefaultValueFactory = _ => ClipTokenizer.DefaultContextLength,
        };
        contextLength.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 2) result.AddError("--context-length must be at least 2 (start and end tokens)");
        });
        var pad = new Option<bool>("--pad") { Description = "print the full padded row" };
        var texts = new Argument<string[]>("TEXT") { Description = "texts to tokenize", Arity = ArgumentArity.OneOrMore };

        var command = new Command("tokenize", "Print CLIP token ids, one line per text") { vocab, merges, contextLength, pad, texts };
        command.SetAction(parse => Run(
            parse.GetValue(vocab), parse.GetValue(merges), parse.GetValue(contextLength), parse.GetValue(pad), parse.GetValue(texts)!));
        return command;
    }

    private static int Run(string? vocab, string? merges, int contextLength, bool pad, string[] texts)
    {
        var tokenizer = Load(vocab, merges);

        var row = new long[contextLength];
        foreach (var text in texts)
        {
            var used = tokenizer.EncodeRow(text, row);
            var length = pad ? row.Length : used;
            Console.Out.WriteLine(string.Join(' ', row.Take(length)));
        }
        return ExitCodes.Ok;
    }

    private static ClipTokenizer Load(string? vocab, string? merges)
    {
        if (vocab is null)
        {
            return merges is null ? ClipTokenizer.Default : throw new CliException("--merges needs --vocab FILE.json as well", ExitCodes.Usage);
        }
        if (Directory.Exists(vocab))
        {
            return ClipTokenizer.FromHuggingFace(Path.Combine(vocab, "vocab.json"), merges ?? Path.Combine(vocab, "merges.txt"));
        }
        if (vocab.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return ClipTokenizer.FromHuggingFace(vocab, merges ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vocab))!, "merges.txt"));
        }
        return merges is null ? ClipTokenizer.FromOpenAiMerges(vocab) : throw new CliException("--merges goes with a vocab.json, not with an OpenAI merges file", ExitCodes.Usage);
    }
}
