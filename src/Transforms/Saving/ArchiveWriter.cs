using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Models;

namespace MLNetClip.Transforms.Saving;

/// <summary>
/// Collects, while ML.NET's Model.Save walks the pipeline, what each of our transforms needs
/// (settings, model folders, arrays), then adds it to the finished zip under
/// <c>mlnetclip/</c> (format: <see cref="ArchiveManifest"/>). A model used by several transforms
/// is written once.
/// </summary>
internal sealed class ArchiveWriter
{
    private static readonly AsyncLocal<ArchiveWriter?> CurrentWriter = new();
    private static readonly Lazy<ITransformer> Placeholder = new(CreatePlaceholder);

    private readonly List<EvaluationModel> _models = [];
    private readonly Dictionary<string, byte[]> _entries = new(StringComparer.Ordinal);
    private readonly ArchiveManifest _manifest = new();

    /// <summary>Runs ML.NET's save with this writer listening, then appends our entries to the zip.</summary>
    public static void Save(MLContext context, ITransformer model, DataViewSchema inputSchema, string path)
    {
        var writer = new ArchiveWriter();
        CurrentWriter.Value = writer;
        try
        {
            context.Model.Save(model, inputSchema, path);
        }
        finally
        {
            CurrentWriter.Value = null;
        }
        if (writer._manifest.Transforms.Count > 0) writer.AppendTo(path);
    }

    /// <summary>Called from one of our transforms' ICanSaveModel.Save: records it, writes the placeholder.</summary>
    public static void SavePlaceholder(ModelSaveContext ctx, Action<ArchiveWriter> describe, string transform)
    {
        var writer = CurrentWriter.Value ?? throw new InvalidOperationException(
            $"{transform} holds a CLIP model that ML.NET's Model.Save cannot carry (third-party transforms cannot write their state " +
            "through ML.NET's public API); save with mlContext.Model.SaveWithMaskClip(model, inputSchema, path)");
        describe(writer);
        ((ICanSaveModel)Placeholder.Value).Save(ctx);
    }

    public void AddTransform<TSettings>(string kind, TSettings settings, JsonTypeInfo<TSettings> contract, int model) =>
        _manifest.Transforms.Add(new TransformEntry(kind, JsonSerializer.SerializeToNode(settings, contract)!, model));

    /// <summary>The model's index in the archive, writing its folder the first time it is seen.</summary>
    public int AddModel(EvaluationModel model)
    {
        var index = _models.FindIndex(m => ReferenceEquals(m, model));
        if (index >= 0) return index;
        index = _models.Count;
        _models.Add(model);
        var temp = Path.Combine(Path.GetTempPath(), "mlnetclip-save-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            HuggingFaceClip.Save(model.Clip, temp);
            var files = new List<string>();
            foreach (var file in Directory.GetFiles(temp).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            {
                Add(ArchiveManifest.ModelEntry(index, file!), File.ReadAllBytes(Path.Combine(temp, file!)));
                files.Add(file!);
            }
            foreach (var file in TokenizerFiles(model))
            {
                Add(ArchiveManifest.ModelEntry(index, Path.GetFileName(file)), File.ReadAllBytes(file));
                files.Add(Path.GetFileName(file));
            }
            _manifest.Models.Add(files);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        return index;
    }

    /// <summary>A float array [shape] under <c>mlnetclip/arrays/NAME.f32</c>; returns the name.</summary>
    public string AddArray(string prefix, float[] values, long[] shape)
    {
        var name = $"{prefix}-{_manifest.Arrays.Count}";
        var bytes = new byte[values.Length * sizeof(float)];
        // Little-endian whatever the machine (format comment in ArchiveManifest).
        for (var i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), values[i]);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the archive writer assumes a little-endian machine");
        Add(ArchiveManifest.ArrayEntryName(name), bytes);
        _manifest.Arrays[name] = new ArrayEntry(shape);
        return name;
    }

    private static IEnumerable<string> TokenizerFiles(EvaluationModel model)
    {
        var vocab = Path.Combine(model.Directory, "vocab.json");
        var merges = Path.Combine(model.Directory, "merges.txt");
        // Only a model that read its own vocabulary needs it saved; the default one ships in the library.
        if (model.TokenizerSource.StartsWith(vocab, StringComparison.Ordinal) && File.Exists(vocab) && File.Exists(merges))
            return [vocab, merges];
        return [];
    }

    private void Add(string entry, byte[] bytes)
    {
        _entries[entry] = bytes;
        _manifest.Sha256[entry] = Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private void AppendTo(string path)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        foreach (var (name, bytes) in _entries)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
            stream.Write(bytes);
        }
        using var manifest = zip.CreateEntry(ArchiveManifest.ManifestEntry).Open();
        JsonSerializer.Serialize(manifest, _manifest, ArchiveJson.Default.ArchiveManifest);
    }

    private static ITransformer CreatePlaceholder()
    {
        var context = new MLContext(seed: 0);
        var empty = context.Data.LoadFromEnumerable(Array.Empty<SlotInput>());
        return context.Transforms.CustomMapping<SlotInput, SlotOutput>((_, _) => { }, SlotFactory.ContractName).Fit(empty);
    }
}
