using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNetClip.Evaluation.Embedding;
using MLNetClip.Torch;

namespace MLNetClip.Transforms.Saving;

/// <summary>
/// Loads a zip written by <see cref="ArchiveWriter"/>: ML.NET loads its part (our placeholders
/// included), then every placeholder, in save order, is replaced by the transform that
/// <c>mlnetclip/manifest.json</c> describes, with its model and arrays read back from the zip and
/// checked against their recorded SHA-256. Anything missing or altered fails with one
/// <see cref="InvalidDataException"/> naming the file and the entry.
/// </summary>
internal sealed class ArchiveReader : IDisposable
{
    private readonly string _path;
    private readonly ZipArchive _zip;
    private readonly ArchiveManifest _manifest;
    private readonly Device _device;
    private readonly Dictionary<int, EvaluationModel> _models = [];
    private readonly HashSet<int> _handedOut = [];
    private readonly List<EvaluationModel> _unclaimed = [];

    private ArchiveReader(string path, ZipArchive zip, ArchiveManifest manifest, Device device)
    {
        _path = path;
        _zip = zip;
        _manifest = manifest;
        _device = device;
    }

    /// <summary>The kinds of transform a manifest can name, and how each is rebuilt.</summary>
    internal static readonly Dictionary<string, Func<ArchiveReader, TransformEntry, ITransformer>> Kinds = new(StringComparer.Ordinal)
    {
        [Embedding.ImageEmbeddingTransformer.Kind] = Embedding.ImageEmbeddingTransformer.Load,
        [Embedding.TextEmbeddingTransformer.Kind] = Embedding.TextEmbeddingTransformer.Load,
        [ZeroShot.ZeroShotScoringTransformer.Kind] = ZeroShot.ZeroShotScoringTransformer.Load,
    };

    public string Path => _path;

    public static ITransformer Load(MLContext context, string path, out DataViewSchema inputSchema, Device device)
    {
        context.ComponentCatalog.RegisterAssembly(typeof(SlotFactory).Assembly);
        ITransformer model;
        SlotFactory.IsLoading = true;
        try
        {
            model = context.Model.Load(path, out inputSchema);
        }
        finally
        {
            SlotFactory.IsLoading = false;
        }
        var placeholders = Count(model);
        if (placeholders == 0) return model;

        using var zip = ZipFile.OpenRead(path);
        var manifest = ReadManifest(path, zip, placeholders);
        using var reader = new ArchiveReader(path, zip, manifest, device);
        var next = 0;
        var rebuilt = reader.Replace(model, ref next);
        return rebuilt;
    }

    /// <summary>Settings of a manifest entry as the transform's own record.</summary>
    public T Settings<T>(TransformEntry entry, JsonTypeInfo<T> contract)
    {
        try
        {
            return entry.Settings.Deserialize(contract) ?? throw Corrupt($"transform '{entry.Kind}' has no settings");
        }
        catch (JsonException e)
        {
            throw Corrupt($"transform '{entry.Kind}' has unreadable settings ({e.Message})");
        }
    }

    /// <summary>
    /// Model <paramref name="index"/>, loaded once onto the device. The first transform asking for it
    /// owns it (disposes it with itself); later ones share it.
    /// </summary>
    public (EvaluationModel Model, IDisposable? Owned) Model(int index)
    {
        if (index < 0 || index >= _manifest.Models.Count) throw Corrupt($"transform refers to model {index}, and the manifest lists {_manifest.Models.Count}");
        if (!_models.TryGetValue(index, out var model))
        {
            var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnetclip-load-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(temp);
            try
            {
                foreach (var file in _manifest.Models[index])
                {
                    if (file.Contains('/') || file.Contains('\\') || file.StartsWith('.')) throw Corrupt($"model {index} lists the file name '{file}'");
                    File.WriteAllBytes(System.IO.Path.Combine(temp, file), Entry(ArchiveManifest.ModelEntry(index, file)));
                }
                try { model = EvaluationModel.Load(temp, _device); }
                catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or TorchException)
                {
                    throw Corrupt($"model {index} does not load: {e.Message}");
                }
            }
            finally
            {
                Directory.Delete(temp, recursive: true);
            }
            _models[index] = model;
            _unclaimed.Add(model);
        }
        var owned = _handedOut.Add(index) ? model : null;
        _unclaimed.Remove(model);
        return (model, owned);
    }

    /// <summary>A float array named in the manifest, with its shape.</summary>
    public (float[] Values, long[] Shape) Array(string name)
    {
        if (!_manifest.Arrays.TryGetValue(name, out var spec)) throw Corrupt($"array '{name}' is not in the manifest");
        var bytes = Entry(ArchiveManifest.ArrayEntryName(name));
        var count = spec.Shape.Aggregate(1L, (a, b) => a * b);
        if (bytes.Length != count * sizeof(float))
            throw Corrupt($"{ArchiveManifest.ArrayEntryName(name)} holds {bytes.Length} bytes; shape [{string.Join(", ", spec.Shape)}] needs {count * sizeof(float)}");
        var values = new float[count];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return (values, spec.Shape);
    }

    public InvalidDataException Corrupt(string what) =>
        new($"{_path}: the MLNetClip part of this model zip is damaged: {what}; save the pipeline again with SaveWithMaskClip");

    /// <summary>An entry's bytes, after checking it is there and has its recorded SHA-256.</summary>
    private byte[] Entry(string name)
    {
        var entry = _zip.GetEntry(name) ?? throw Corrupt($"entry {name} is missing");
        if (!_manifest.Sha256.TryGetValue(name, out var expected)) throw Corrupt($"entry {name} has no recorded SHA-256");
        using var stream = new MemoryStream();
        try
        {
            using var source = entry.Open();
            source.CopyTo(stream);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt($"entry {name} cannot be decompressed ({e.Message})");
        }
        var bytes = stream.ToArray();
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != expected) throw Corrupt($"entry {name} does not match its recorded SHA-256");
        return bytes;
    }

    private static ArchiveManifest ReadManifest(string path, ZipArchive zip, int placeholders)
    {
        var entry = zip.GetEntry(ArchiveManifest.ManifestEntry) ?? throw new InvalidDataException(
            $"{path}: holds {placeholders} MLNetClip transform(s) but no {ArchiveManifest.ManifestEntry} with their weights; save the pipeline again with SaveWithMaskClip");
        ArchiveManifest? manifest;
        try
        {
            using var stream = entry.Open();
            manifest = JsonSerializer.Deserialize(stream, ArchiveJson.Default.ArchiveManifest);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: {ArchiveManifest.ManifestEntry} is not valid JSON ({e.Message}); save the pipeline again with SaveWithMaskClip");
        }
        if (manifest is null || manifest.Format != ArchiveManifest.FormatName)
            throw new InvalidDataException($"{path}: {ArchiveManifest.ManifestEntry} is not an MLNetClip manifest (format '{manifest?.Format}')");
        if (manifest.Version != ArchiveManifest.CurrentVersion)
            throw new InvalidDataException($"{path}: {ArchiveManifest.ManifestEntry} is format version {manifest.Version}; this library reads version {ArchiveManifest.CurrentVersion}");
        if (manifest.Transforms.Count != placeholders)
            throw new InvalidDataException($"{path}: the pipeline holds {placeholders} MLNetClip transform(s) but the manifest describes {manifest.Transforms.Count}");
        return manifest;
    }

    private static bool IsPlaceholder(ITransformer t) => t is CustomMappingTransformer<SlotInput, SlotOutput>;

    private static int Count(ITransformer model) => model switch
    {
        _ when IsPlaceholder(model) => 1,
        TransformerChain<ITransformer> chain => chain.Sum(Count),
        _ => 0,
    };

    /// <summary>The model with placeholder number <paramref name="next"/> onwards replaced, in the order they were saved.</summary>
    private ITransformer Replace(ITransformer model, ref int next)
    {
        if (IsPlaceholder(model))
        {
            var entry = _manifest.Transforms[next++];
            if (!Kinds.TryGetValue(entry.Kind, out var load))
                throw Corrupt($"transform kind '{entry.Kind}' is unknown (known: {string.Join(", ", Kinds.Keys)})");
            return load(this, entry);
        }
        if (model is not TransformerChain<ITransformer> chain || Count(chain) == 0) return model;
        var parts = new List<ITransformer>();
        foreach (var part in chain) parts.Add(Replace(part, ref next));
        return new TransformerChain<ITransformer>(parts.ToArray());
    }

    public void Dispose()
    {
        // Models loaded but claimed by no transform (a failed load) are freed here.
        foreach (var model in _unclaimed) model.Dispose();
    }
}
