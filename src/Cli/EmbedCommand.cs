using System.Globalization;
using System.CommandLine;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Output;
using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip embed`: writes the image (or, with --text, caption) embeddings of every row of the
/// data to a .safetensors or .npy file, row i for data row i after --where.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var common = new EvalOptions("a TSV/CSV manifest, WebDataset shards or an image folder");
        var output = new Option<string>("--out") { HelpName = "FILE.safetensors|FILE.npy", Description = "where to write the [rows, dims] float32 matrix", Required = true };
        var text = new Option<bool>("--text") { Description = "embed each row's caption instead of its image" };
        var caption = EvalCommand.CaptionColumn();
        var feature = new Option<string>("--feature")
        {
            HelpName = "embedding|cls|mean|pixels", Description = "image vector: projected embedding, class token, mean of patches, or preprocessed pixels",
            DefaultValueFactory = _ => "embedding",
        };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise every row" };
        var parts = new Option<bool>("--parts") { Description = "under `launch`: keep each rank's part and write OUT.index.json instead of merging" };
        var distTimeout = new Option<double>("--dist-timeout")
        {
            Description = "under `launch`: seconds rank 0 waits for the slowest rank's part (default 3600)", DefaultValueFactory = _ => 3600,
        };
        var command = new Command("embed", "Write image or text embeddings of a data set to .safetensors or .npy")
        {
            output, text, caption, feature, normalize, parts, distTimeout,
        };
        common.AddTo(command);
        command.Options.Remove(common.Json);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!;
            if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"--out '{path}' must end in .safetensors or .npy", ExitCodes.Usage);
            var isText = parse.GetValue(text);
            var chosen = ImageFeatureNames.Parse(parse.GetValue(feature)!);
            if (isText && parse.GetResult(feature) is { Implicit: false })
                throw new CliException("--feature picks an image vector; it does not go with --text", ExitCodes.Usage);
            // Images need only their path column; the caption column is read (and must exist) for --text alone.
            var set = isText
                ? EvaluationData.Read(parse.GetValue(common.Data)!, parse.GetValue(common.ImageColumn)!, parse.GetValue(caption)!, "caption", common.Filters(parse))
                : EvaluationData.ReadImages(parse.GetValue(common.Data)!, parse.GetValue(common.ImageColumn)!, common.Filters(parse));
            // Under `launch` each rank embeds its block of rows (see EmbeddingParts); rank 0 assembles.
            using var group = DistributedGroup.Join("cpu", TimeSpan.FromSeconds(parse.GetValue(distTimeout)));
            var (first, count) = group is null ? (0, set.Rows.Count) : EmbeddingParts.Rows(set.Rows.Count, group.Rank, group.WorldSize);
            var rows = set.Rows.Skip(first).Take(count).ToList();
            return common.WithModel(parse, embedder =>
            {
                using var matrix = isText
                    ? EmbeddingExport.Texts(embedder, rows, parse.GetValue(normalize))
                    : EmbeddingExport.Images(embedder, rows, chosen, parse.GetValue(normalize));
                var metadata = new Dictionary<string, string>
                {
                    ["kind"] = isText ? "text" : "image",
                    ["feature"] = isText ? "embedding" : ImageFeatureNames.Name(chosen),
                    ["normalized"] = parse.GetValue(normalize) ? "true" : "false",
                    ["model"] = embedder.Model.Directory,
                    ["data"] = set.Description,
                };
                if (group is not null) return Assemble(group, path, matrix, metadata, set.Rows.Count, parse.GetValue(parts));
                EmbeddingExport.Write(path, matrix, metadata);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {path}: [{matrix.Size(0)}, {matrix.Size(1)}] float32, {metadata["kind"]} {metadata["feature"]} of {set.Description}"));
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    /// <summary>This rank's part on disk; after every rank's is written, rank 0 merges them (or indexes them).</summary>
    private static int Assemble(ProcessGroup group, string path, Tensor matrix, Dictionary<string, string> metadata, int rows, bool keepParts)
    {
        var part = EmbeddingParts.PartPath(path, group.Rank, group.WorldSize);
        EmbeddingExport.Write(part, matrix, metadata);
        Console.WriteLine($"wrote {part}: [{matrix.Size(0)}, {matrix.Size(1)}]");
        group.Barrier();
        if (group.Rank != 0) return ExitCodes.Ok;
        if (keepParts)
        {
            EmbeddingParts.WriteIndex(path, rows, group.WorldSize);
            Console.WriteLine($"wrote {EmbeddingParts.IndexPath(path)}: {rows} rows in {group.WorldSize} parts");
        }
        else
        {
            var merged = EmbeddingParts.Merge(path, group.WorldSize, metadata);
            Console.WriteLine($"wrote {path}: [{merged}, {matrix.Size(1)}] float32, merged from {group.WorldSize} parts");
        }
        return ExitCodes.Ok;
    }
}
