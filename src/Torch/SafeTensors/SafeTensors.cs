using System.Text.Json;

namespace MLNetClip.Torch;

/// <summary>Tensors loaded from a safetensors file; disposing it frees them.</summary>
public sealed class SafeTensorsFile : IDisposable
{
    internal SafeTensorsFile(Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public Tensor this[string name] =>
        Tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no tensor named '{name}' in the file");

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}

/// <summary>Reads and writes the Hugging Face safetensors format (CPU tensors).</summary>
public static unsafe class SafeTensors
{
    /// <summary>Reads the header only: names, dtypes, shapes and metadata, without loading data.</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return SafeTensorsHeader.Read(stream, stream.Length, path);
    }

    /// <summary>
    /// Loads every tensor (or those <paramref name="select"/> accepts) onto the CPU. Each tensor's
    /// bytes are read straight into its own storage; the header is validated before any allocation.
    /// </summary>
    public static SafeTensorsFile Load(string path, Func<string, bool>? select = null)
    {
        using var stream = OpenRead(path);
        var header = SafeTensorsHeader.Read(stream, stream.Length, path);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in header.Entries)
            {
                if (select != null && !select(e.Name)) continue;
                var t = Tensor.Empty(e.Shape, e.DType).DetachFromScope();
                tensors[e.Name] = t;
                if (e.ByteLength == 0) continue;
                stream.Position = header.DataStart + e.Begin;
                ReadInto(stream, t, e.ByteLength, path, e.Name);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafeTensorsFile(tensors, header.Metadata);
    }

    /// <summary>Loads from an in-memory image of a safetensors file.</summary>
    public static SafeTensorsFile Load(byte[] bytes, string sourceName = "<memory>")
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var header = SafeTensorsHeader.Read(stream, bytes.Length, sourceName);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var e in header.Entries)
        {
            var span = bytes.AsSpan((int)(header.DataStart + e.Begin), (int)e.ByteLength);
            tensors[e.Name] = Tensor.FromBytes(span, e.DType, e.Shape).DetachFromScope();
        }
        return new SafeTensorsFile(tensors, header.Metadata);
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"safetensors file not found: {path}", path, e);
        }
    }

    private static void ReadInto(Stream stream, Tensor t, long length, string path, string name)
    {
        var p = (byte*)t.DataPointer;
        long done = 0;
        while (done < length)
        {
            var chunk = (int)Math.Min(length - done, 1 << 30);
            var n = stream.Read(new Span<byte>(p + done, chunk));
            if (n == 0) throw new SafeTensorsException(path, stream.Position, $"file ended while reading tensor '{name}'");
            done += n;
        }
        GC.KeepAlive(t);
    }

    /// <summary>
    /// Writes tensors (moved to the CPU, made contiguous) and string metadata. The file is written
    /// under a temporary name and renamed into place, so a crash never leaves a half-written file.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        var shapes = new Dictionary<string, (ScalarType DType, long Bytes)>();
        foreach (var name in names)
        {
            var t = tensors[name];
            var bytes = t.NumberOfElements * t.DType.ElementSize();
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = SafeTensorsHeader.FormatDType(t.DType),
                ["shape"] = t.Shape,
                ["data_offsets"] = new[] { offset, offset + bytes },
            };
            shapes[name] = (t.DType, bytes);
            offset += bytes;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header, SafeTensorsJsonContext.Default.DictionaryStringObject);
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        var padded = (json.Length + 7) / 8 * 8;

        var full = Path.GetFullPath(path);
        var tmp = full + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[8];
                BitConverter.TryWriteBytes(prefix, (ulong)padded);
                fs.Write(prefix);
                fs.Write(json);
                for (var i = json.Length; i < padded; i++) fs.WriteByte((byte)' ');
                foreach (var name in names)
                {
                    if (shapes[name].Bytes == 0) continue;
                    using var scope = DisposeScope.Begin();
                    var cpu = tensors[name].Detach().To(Device.Cpu).Contiguous();
                    fs.Write(new ReadOnlySpan<byte>(cpu.DataPointer, checked((int)shapes[name].Bytes)));
                    GC.KeepAlive(cpu);
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class SafeTensorsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
