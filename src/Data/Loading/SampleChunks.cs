using MLNetClip.Data.Datasets;

namespace MLNetClip.Data.Loading;

/// <summary>One sample as the loader tries it: the record and its identity for seeding.</summary>
internal readonly record struct Candidate(ImageTextRecord Record, long SampleId);

/// <summary>
/// One epoch's samples for one rank, in order, cut into chunks of one batch size. Chunk c holds
/// candidates [c·B, c·B + B); the last chunk may be short. Chunks are asked for by the lanes,
/// from several threads.
/// </summary>
internal abstract class SampleChunks
{
    protected SampleChunks(int chunkSize) => ChunkSize = chunkSize;

    public int ChunkSize { get; }

    /// <summary>Chunk <paramref name="index"/>, or null past the end of the epoch.</summary>
    public abstract Candidate[]? Get(int index);

    /// <summary>Says chunk <paramref name="index"/> will not be asked for again, so it can be dropped.</summary>
    public virtual void Release(int index) { }
}

/// <summary>Manifests and folders: the rank's share of one permutation of every index.</summary>
internal sealed class IndexedChunks : SampleChunks
{
    private readonly IIndexedImageTextSource _source;
    private readonly int[] _order;

    public IndexedChunks(IIndexedImageTextSource source, int[] order, int chunkSize) : base(chunkSize)
    {
        _source = source;
        _order = order;
    }

    /// <summary>
    /// Every rank draws the same permutation of all indices and keeps positions rank, rank + W, ...,
    /// so the ranks' shares are disjoint, cover the source, and differ in size by at most one.
    /// </summary>
    public static int[] Plan(int count, int seed, int epoch, bool shuffle, int rank, int worldSize)
    {
        var all = Enumerable.Range(0, count).ToArray();
        if (shuffle) SampleSeeds.Shuffle(all, SampleSeeds.Epoch(seed, epoch, purpose: 1));
        var mine = new int[(count - rank + worldSize - 1) / worldSize];
        for (var i = 0; i < mine.Length; i++) mine[i] = all[rank + i * worldSize];
        return mine;
    }

    public override Candidate[]? Get(int index)
    {
        var start = (long)index * ChunkSize;
        if (start >= _order.Length) return null;
        var chunk = new Candidate[Math.Min(ChunkSize, _order.Length - start)];
        for (var i = 0; i < chunk.Length; i++)
        {
            var at = _order[start + i];
            chunk[i] = new Candidate(_source[at], at);
        }
        return chunk;
    }
}

/// <summary>
/// Tar shards and other partitioned sources, read front to back on demand by whichever worker
/// first needs a chunk. Chunks are kept until their lane has moved past them, which bounds
/// memory by the lanes' spread rather than the epoch.
/// </summary>
internal sealed class StreamedChunks : SampleChunks, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<int, Candidate[]> _held = [];
    private readonly IEnumerator<Candidate> _records;
    private int _read;
    private bool _ended;

    public StreamedChunks(IImageTextSource source, int[] partitions, int shuffleBuffer, Random random, int chunkSize,
        Action<string> onDamage, CancellationToken cancellation) : base(chunkSize)
    {
        var stream = Read(source, partitions, onDamage, cancellation);
        _records = (shuffleBuffer > 0 ? Mix(stream, shuffleBuffer, random) : stream).GetEnumerator();
    }

    /// <summary>
    /// Whole partitions per rank: the same shuffled partition list on every rank, rank r taking
    /// positions r, r + W, .... A rank left without a partition is an error worth stopping for.
    /// </summary>
    public static int[] Plan(IImageTextSource source, int seed, int epoch, bool shuffle, int rank, int worldSize)
    {
        var count = source.Partitions.Count;
        if (count < worldSize)
            throw new InvalidOperationException(
                $"{source.Description} has {count} partition(s) (shards) but there are {worldSize} data-parallel ranks; " +
                "each rank needs at least one shard: write the data as more, smaller shards");
        var all = Enumerable.Range(0, count).ToArray();
        if (shuffle) SampleSeeds.Shuffle(all, SampleSeeds.Epoch(seed, epoch, purpose: 2));
        return all.Where((_, i) => i % worldSize == rank).ToArray();
    }

    public override Candidate[]? Get(int index)
    {
        lock (_gate)
        {
            if (_held.TryGetValue(index, out var chunk)) return chunk;
            while (_read <= index && !_ended)
            {
                var next = new List<Candidate>(ChunkSize);
                while (next.Count < ChunkSize && _records.MoveNext()) next.Add(_records.Current);
                _ended = next.Count < ChunkSize;
                if (next.Count > 0) _held[_read++] = next.ToArray();
            }
            return _held.GetValueOrDefault(index);
        }
    }

    public override void Release(int index)
    {
        lock (_gate) _held.Remove(index);
    }

    public void Dispose()
    {
        lock (_gate) _records.Dispose();
    }

    // Sample ids join the partition and the record's place in it, so they do not depend on the shard order.
    private static IEnumerable<Candidate> Read(IImageTextSource source, int[] partitions, Action<string> onDamage,
        CancellationToken cancellation)
    {
        foreach (var p in partitions)
        {
            using var records = source.ReadPartition(p, cancellation).GetEnumerator();
            for (long ordinal = 0; ; ordinal++)
            {
                try
                {
                    if (!records.MoveNext()) break;
                }
                catch (DatasetFormatException e)
                {
                    // A damaged shard costs its remaining samples, not the run; the skip policy counts it.
                    onDamage($"{source.Partitions[p]}: the rest of the shard was skipped: {e.Message}");
                    break;
                }
                yield return new Candidate(records.Current, (long)p << 32 | ordinal);
            }
        }
    }

    // A fixed-size shuffle buffer: each incoming record swaps with a random held one, which goes out.
    private static IEnumerable<Candidate> Mix(IEnumerable<Candidate> stream, int size, Random random)
    {
        var buffer = new List<Candidate>(Math.Min(size, 4096));
        foreach (var c in stream)
        {
            if (buffer.Count < size)
            {
                buffer.Add(c);
                continue;
            }
            var j = random.Next(size);
            yield return buffer[j];
            buffer[j] = c;
        }
        var rest = buffer.ToArray();
        SampleSeeds.Shuffle(rest, random);
        foreach (var c in rest) yield return c;
    }
}
