using System.Globalization;
using System.CommandLine;
using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Evaluation.Output;

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
        var command = new Command("embed", "Write image or text embeddings of a data set to .safetensors or .npy") { output, text, caption, feature, normalize };
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
            return common.WithModel(parse, embedder =>
            {
                using var matrix = isText
                    ? EmbeddingExport.Texts(embedder, set.Rows, parse.GetValue(normalize))
                    : EmbeddingExport.Images(embedder, set.Rows, chosen, parse.GetValue(normalize));
                var metadata = new Dictionary<string, string>
                {
                    ["kind"] = isText ? "text" : "image",
                    ["feature"] = isText ? "embedding" : ImageFeatureNames.Name(chosen),
                    ["normalized"] = parse.GetValue(normalize) ? "true" : "false",
                    ["model"] = embedder.Model.Directory,
                    ["data"] = set.Description,
                };
                EmbeddingExport.Write(path, matrix, metadata);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {path}: [{matrix.Size(0)}, {matrix.Size(1)}] float32, {metadata["kind"]} {metadata["feature"]} of {set.Description}"));
                return ExitCodes.Ok;
            });
        });
        return command;
    }
}
