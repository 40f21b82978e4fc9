using System.Globalization;
using System.Text.Json;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Output;

/// <summary>
/// A data set embedded by W ranks: rank r embeds the contiguous rows [⌊r·N/W⌋, ⌊(r+1)·N/W⌋) and
/// writes them to its part file, <c>OUT.part-R-of-W.safetensors</c> (the .safetensors layout of
/// <see cref="EmbeddingExport"/>). Rank 0 then either merges the parts, in rank order, into OUT (so
/// the file matches one process's) and deletes them, or, for corpora too large to hold at once,
/// writes an index instead, <c>OUT.index.json</c>:
/// <code>{ "format": "mlnetclip-embedding-parts-1", "rows": N, "parts": [ { "file": "…", "firstRow": 0, "rows": n0 }, … ] }</code>
/// with file names relative to the index's folder, parts in row order.
/// </summary>
public static class EmbeddingParts
{
    public const string IndexFormat = "mlnetclip-embedding-parts-1";

    /// <summary>The rows rank <paramref name="rank"/> of <paramref name="worldSize"/> embeds.</summary>
    public static (int Start, int Count) Rows(int rows, int rank, int worldSize)
    {
        var start = (int)((long)rows * rank / worldSize);
        var end = (int)((long)rows * (rank + 1) / worldSize);
        return (start, end - start);
    }

    public static string PartPath(string output, int rank, int worldSize) =>
        string.Create(CultureInfo.InvariantCulture, $"{output}.part-{rank}-of-{worldSize}.safetensors");

    public static string IndexPath(string output) => output + ".index.json";

    /// <summary>Concatenates every part into <paramref name="output"/> (its own format by extension), then deletes the parts.</summary>
    public static long Merge(string output, int worldSize, IReadOnlyDictionary<string, string> metadata)
    {
        var files = new List<SafeTensorsFile>();
        try
        {
            for (var r = 0; r < worldSize; r++)
            {
                var part = PartPath(output, r, worldSize);
                if (!File.Exists(part)) throw new FileNotFoundException($"{part} is missing: rank {r}'s part is not visible from rank 0 (no shared folder?); use --parts to keep the parts and write an index", part);
                files.Add(SafeTensors.Load(part));
            }
            using var all = Tensor.Cat(files.Select(f => f.Tensors[EmbeddingExport.TensorName]).ToList());
            EmbeddingExport.Write(output, all, metadata);
            var rows = all.Size(0);
            foreach (var f in files) f.Dispose();
            files.Clear();
            for (var r = 0; r < worldSize; r++) File.Delete(PartPath(output, r, worldSize));
            return rows;
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }

    /// <summary>Writes the index of the parts of <paramref name="rows"/> rows split over <paramref name="worldSize"/> ranks.</summary>
    public static void WriteIndex(string output, int rows, int worldSize)
    {
        using var file = File.Create(IndexPath(output));
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("format", IndexFormat);
        json.WriteNumber("rows", rows);
        json.WriteStartArray("parts");
        for (var r = 0; r < worldSize; r++)
        {
            var (start, count) = Rows(rows, r, worldSize);
            json.WriteStartObject();
            json.WriteString("file", Path.GetFileName(PartPath(output, r, worldSize)));
            json.WriteNumber("firstRow", start);
            json.WriteNumber("rows", count);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
