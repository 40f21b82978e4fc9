using System.Text.Json;

namespace MLNetClip.Torch;

/// <summary>One tensor's entry in a safetensors header; offsets are relative to the data section.</summary>
public sealed record SafeTensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>
/// Parses and validates a safetensors header before anything is allocated from it.
/// Format (version 1 of the Hugging Face spec): u64 little-endian header length N, N bytes of
/// UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
/// then the data section: entries tile it exactly, without gaps or overlaps.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>Headers above this are refused as absurd (the spec's reference reader uses 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Entries = entries;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>Entries in file order (ascending offsets).</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data section (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>Reads the length prefix and the header; <paramref name="fileLength"/> bounds every offset.</summary>
    public static SafeTensorsHeader Read(Stream stream, long fileLength, string source)
    {
        if (fileLength < 8)
            throw Error(source, 0, $"file has {fileLength} bytes; a safetensors file starts with an 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var n = BitConverter.ToUInt64(prefix);
        if (n > MaxHeaderBytes)
            throw Error(source, 0, $"header length {n} is larger than the {MaxHeaderBytes}-byte limit");
        if ((long)n > fileLength - 8)
            throw Error(source, 0, $"header length {n} runs past the end of the file ({fileLength} bytes)");
        var json = new byte[(int)n];
        stream.ReadExactly(json);
        return Parse(json, fileLength - 8 - (long)n, 8 + (long)n, source);
    }

    internal static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, long dataStart, string source)
    {
        try
        {
            // JsonDocument defers UTF-8 validation of names to first access; check it up front
            // so a corrupt header is a format error rather than an InvalidOperationException.
            StrictUtf8.GetCharCount(json);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw Error(source, 8 + e.Index, "header is not valid UTF-8");
        }
        JsonDocument doc;
        try
        {
            var text = json.ToArray();
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Error(source, 8 + (e.BytePositionInLine ?? 0), $"header is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Error(source, 8, "header must be a JSON object");
            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>();
            var names = new HashSet<string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(prop.Name)) throw Error(source, 8, $"tensor '{prop.Name}' appears twice in the header");
                if (prop.Name == "__metadata__")
                {
                    ReadMetadata(prop.Value, metadata, source);
                    continue;
                }
                entries.Add(ReadEntry(prop.Name, prop.Value, source));
            }
            CheckTiling(entries, dataLength, source);
            return new SafeTensorsHeader(entries, metadata, dataStart);
        }
    }

    private static void ReadMetadata(JsonElement e, Dictionary<string, string> metadata, string source)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Error(source, 8, "__metadata__ must be an object of strings");
        foreach (var p in e.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw Error(source, 8, $"__metadata__ entry '{p.Name}' must be a string, got {p.Value.ValueKind}");
            metadata[p.Name] = p.Value.GetString()!;
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement e, string source)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Error(source, 8, $"tensor '{name}': entry must be an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Error(source, 8, $"tensor '{name}': missing string 'dtype'");
        var dtype = ParseDType(dt.GetString()!) ?? throw Error(source, 8, $"tensor '{name}': unsupported dtype '{dt.GetString()}' (expected F64, F32, F16, BF16, I64, I32, I16, I8, U8 or BOOL)");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Error(source, 8, $"tensor '{name}': missing array 'shape'");
        var shape = new long[sh.GetArrayLength()];
        if (shape.Length > 16) throw Error(source, 8, $"tensor '{name}': {shape.Length} dimensions is more than 16");
        var i = 0;
        long numel = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 0)
                throw Error(source, 8, $"tensor '{name}': shape entries must be non-negative integers");
            shape[i++] = v;
            numel = v == 0 ? 0 : numel > long.MaxValue / v ? throw Error(source, 8, $"tensor '{name}': shape overflows") : numel * v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Error(source, 8, $"tensor '{name}': 'data_offsets' must be [begin, end]");
        var begin = ReadOffset(off[0], name, source);
        var end = ReadOffset(off[1], name, source);
        if (end < begin) throw Error(source, 8, $"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        var size = dtype.ElementSize();
        if (numel > long.MaxValue / size || numel * size != end - begin)
            throw Error(source, 8, $"tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype} needs {(numel > long.MaxValue / size ? "more than 2^63" : (numel * size).ToString())} bytes but data_offsets span {end - begin}");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(JsonElement e, string name, string source) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) && v >= 0
            ? v
            : throw Error(source, 8, $"tensor '{name}': data_offsets must be non-negative integers");

    private static void CheckTiling(List<SafeTensorsEntry> entries, long dataLength, string source)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long cursor = 0;
        foreach (var e in entries)
        {
            if (e.Begin < cursor)
                throw Error(source, 8, $"tensor '{e.Name}' (bytes {e.Begin}..{e.End}) overlaps the tensor before it (which ends at {cursor})");
            if (e.Begin > cursor)
                throw Error(source, 8, $"data bytes {cursor}..{e.Begin} before tensor '{e.Name}' belong to no tensor");
            cursor = e.End;
        }
        if (cursor > dataLength)
            throw Error(source, 8, $"tensors need {cursor} data bytes but the file holds {dataLength} after the header");
        if (cursor < dataLength)
            throw Error(source, 8, $"the file has {dataLength - cursor} trailing data bytes that belong to no tensor");
    }

    internal static ScalarType? ParseDType(string s) => s switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.UInt8,
        "BOOL" => ScalarType.Bool,
        _ => null,
    };

    internal static string FormatDType(ScalarType t) => t switch
    {
        ScalarType.Float64 => "F64",
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.UInt8 => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"{t} cannot be stored in safetensors"),
    };

    private static SafeTensorsException Error(string source, long offset, string message) => new(source, offset, message);
}

/// <summary>A malformed safetensors file; names the file and the byte offset where the problem is.</summary>
public sealed class SafeTensorsException : Exception
{
    public SafeTensorsException(string source, long offset, string message)
        : base($"{source}: {message} (at byte {offset})")
    {
        FileName = source;
        Offset = offset;
    }

    public string FileName { get; }
    public long Offset { get; }
}
