using MLNetClip.Evaluation.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Output;

/// <summary>
/// Embeddings of a data set's rows, for use outside this library: row i of the matrix belongs to
/// row i of the data (after filters). An image or caption that several rows share is embedded once.
/// Written as <c>.safetensors</c> (one float32 tensor named <see cref="TensorName"/>, with metadata)
/// or as <c>.npy</c> (<see cref="NpyFile"/>).
/// </summary>
public static class EmbeddingExport
{
    /// <summary>The tensor's name in a .safetensors file.</summary>
    public const string TensorName = "embeddings";

    /// <summary>The metadata value of "format" in a .safetensors file; a later layout gets a new one.</summary>
    public const string FormatVersion = "mlnetclip-embeddings-1";

    /// <summary>Image features of every row [R, D], float32 on the CPU.</summary>
    public static Tensor Images(ClipEmbedder embedder, IReadOnlyList<EvaluationRow> rows, ImageFeature feature, bool normalize)
    {
        var (distinct, rowToDistinct) = Distinct(rows, r => r.ImageKey);
        using var features = embedder.ImageFeatures(new RecordImages(distinct.Select(r => r.Record).ToList()), feature);
        return Expand(features, rowToDistinct, normalize);
    }

    /// <summary>Text embeddings of every row's text [R, E], float32 on the CPU.</summary>
    public static Tensor Texts(ClipEmbedder embedder, IReadOnlyList<EvaluationRow> rows, bool normalize)
    {
        var (distinct, rowToDistinct) = Distinct(rows, r => r.Text);
        using var embeddings = embedder.TextEmbeddings(distinct.Select(r => r.Text).ToList());
        return Expand(embeddings, rowToDistinct, normalize);
    }

    /// <summary>Writes by the extension of <paramref name="path"/>: .safetensors (with <paramref name="metadata"/>) or .npy.</summary>
    public static void Write(string path, Tensor matrix, IReadOnlyDictionary<string, string> metadata)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            NpyFile.Write(path, matrix);
            return;
        }
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"the output '{path}' must end in .safetensors or .npy");
        var all = new Dictionary<string, string>(metadata) { ["format"] = FormatVersion };
        SafeTensors.Save(path, new Dictionary<string, Tensor> { [TensorName] = matrix }, all);
    }

    private static (List<EvaluationRow> Distinct, long[] RowToDistinct) Distinct(IReadOnlyList<EvaluationRow> rows, Func<EvaluationRow, string> key)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var distinct = new List<EvaluationRow>();
        var map = new long[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            if (!index.TryGetValue(key(rows[i]), out var at))
            {
                at = index[key(rows[i])] = distinct.Count;
                distinct.Add(rows[i]);
            }
            map[i] = at;
        }
        return (distinct, map);
    }

    private static Tensor Expand(Tensor distinct, long[] rowToDistinct, bool normalize)
    {
        using var scope = DisposeScope.Begin();
        var rows = distinct.IndexSelect(0, Tensor.FromArray(rowToDistinct));                 // [R, D]
        return (normalize ? F.Normalize(rows) : rows).Contiguous().MoveToOuterScope();
    }
}
