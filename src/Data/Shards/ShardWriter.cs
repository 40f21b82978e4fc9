using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.Shards;

/// <summary>What a shard-writing run produced.</summary>
/// <param name="Shards">The shard files written, in order.</param>
/// <param name="Pattern">A brace pattern naming exactly those shards, for <see cref="WebDatasetSource.Open"/>.</param>
/// <param name="Written">Samples written.</param>
/// <param name="Skipped">One line per sample left out, saying which and why.</param>
public sealed record ShardWriteSummary(IReadOnlyList<string> Shards, string Pattern, int Written, IReadOnlyList<string> Skipped);

/// <summary>
/// Writes records as WebDataset shards: <c>{prefix}-000000.tar</c>, <c>{prefix}-000001.tar</c>, ...,
/// each holding at most <c>maxCount</c> samples (and, when given, about <c>maxBytes</c>).
///
/// Format: sample number n (counting across all shards from 0) is stored under the key
/// <c>{n:D9}</c> as up to four members: <c>.{jpg|jpeg|png|webp}</c> the image bytes unchanged,
/// <c>.txt</c> the caption in UTF-8, <c>.cls</c> the label as a decimal integer, and <c>.json</c>
/// an object with the sample's key in its original source ("key") and every metadata field as a string. Sequential keys
/// keep samples apart even when a manifest lists one image several times.
/// Each shard is written under a temporary name and renamed when complete.
/// </summary>
public sealed class ShardWriter : IDisposable
{
    private readonly string _directory;
    private readonly string _prefix;
    private readonly int _maxCount;
    private readonly long? _maxBytes;
    private readonly List<string> _shards = [];
    private readonly List<string> _skipped = [];
    private FileStream? _file;
    private TarWriter? _tar;
    private string? _tempPath;
    private int _inShard;
    private int _written;

    public ShardWriter(string directory, string prefix = "shard", int maxCount = 10_000, long? maxBytes = null)
    {
        if (maxCount < 1) throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, "maxCount must be at least 1");
        if (maxBytes is < TarFormat.BlockSize) throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "maxBytes must be at least 512");
        if (prefix.Length == 0 || prefix.IndexOfAny(['/', '\\', '{', '}', ',']) >= 0)
            throw new ArgumentException($"shard prefix '{prefix}' must be a plain file name (no slashes, braces or commas)", nameof(prefix));
        _directory = Path.GetFullPath(directory);
        _prefix = prefix;
        _maxCount = maxCount;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Writes every record of <paramref name="source"/> and closes the last shard.</summary>
    public static ShardWriteSummary Write(IImageTextSource source, string directory, string prefix = "shard",
        int maxCount = 10_000, long? maxBytes = null, CancellationToken cancellationToken = default)
    {
        using var writer = new ShardWriter(directory, prefix, maxCount, maxBytes);
        foreach (var record in source.ReadAll(cancellationToken)) writer.Add(record);
        return writer.Complete();
    }

    /// <summary>
    /// Adds one sample. A sample whose image cannot be read, or whose format WebDataset readers
    /// do not take, is left out and listed in the summary instead.
    /// </summary>
    public void Add(ImageTextRecord record)
    {
        if (!record.HasImage) { _skipped.Add($"{record.Origin}: no image"); return; }
        var ext = record.ImageExtension;
        if (ext is null || !WebDatasetSample.ImageExtensions.Contains(ext))
        {
            _skipped.Add($"{record.Origin}: image format '{ext}' is not one of {string.Join(", ", WebDatasetSample.ImageExtensions)}");
            return;
        }
        byte[] image;
        try { image = record.ReadImageBytes(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _skipped.Add($"{record.Origin}: {e.Message}"); return; }

        if (_tar is null || _inShard >= _maxCount || (_maxBytes is { } max && _inShard > 0 && _tar.Position + image.Length > max))
            StartShard();
        var key = _written.ToString("D9", CultureInfo.InvariantCulture);
        _tar!.WriteFile($"{key}.{ext}", image);
        if (record.Caption is not null) _tar.WriteFile($"{key}.txt", Encoding.UTF8.GetBytes(record.Caption));
        if (record.Label is { } label) _tar.WriteFile($"{key}.cls", Encoding.ASCII.GetBytes(label.ToString(CultureInfo.InvariantCulture)));
        _tar.WriteFile($"{key}.json", MetadataJson(record));
        _inShard++;
        _written++;
    }

    /// <summary>Closes the current shard and reports what was written.</summary>
    public ShardWriteSummary Complete()
    {
        CloseShard();
        var last = Math.Max(0, _shards.Count - 1);
        var pattern = Path.Combine(_directory, _shards.Count == 1 ? ShardName(0) : $"{_prefix}-{{{0:D6}..{last:D6}}}.tar");
        return new ShardWriteSummary(_shards.ToArray(), pattern, _written, _skipped.ToArray());
    }

    /// <summary>An unfinished shard is deleted rather than left half-written.</summary>
    public void Dispose()
    {
        if (_tar is null) return;
        _file!.Dispose();
        File.Delete(_tempPath!);
        _tar = null;
    }

    private string ShardName(int index) => $"{_prefix}-{index:D6}.tar";

    private void StartShard()
    {
        CloseShard();
        _tempPath = Path.Combine(_directory, ShardName(_shards.Count) + ".partial");
        _file = new FileStream(_tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _tar = new TarWriter(_file, leaveOpen: true);
        _inShard = 0;
    }

    private void CloseShard()
    {
        if (_tar is null) return;
        _tar.Finish();
        _file!.Dispose();
        var final = Path.Combine(_directory, ShardName(_shards.Count));
        File.Move(_tempPath!, final, overwrite: true);
        _shards.Add(final);
        _tar = null;
    }

    private static byte[] MetadataJson(ImageTextRecord record)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            // Shards written from shards keep the key the sample had in its first source.
            json.WriteString("key", record.Metadata.TryGetValue("key", out var original) ? original : record.Key);
            foreach (var (name, value) in record.Metadata)
                if (name != "key") json.WriteString(name, value);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
