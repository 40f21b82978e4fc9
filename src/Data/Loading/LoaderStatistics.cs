namespace MLNetClip.Data.Loading;

/// <summary>
/// What one pass of an <see cref="ImageTextLoader"/> over an epoch has done so far.
/// </summary>
/// <param name="Epoch">The epoch being read.</param>
/// <param name="Batches">Batches handed to the consumer.</param>
/// <param name="SamplesLoaded">Samples decoded into batches (including any later dropped by DropLast).</param>
/// <param name="SamplesSkipped">Samples skipped (bad image, missing file, empty caption, damaged shard).</param>
/// <param name="Elapsed">Time since the pass started, up to its end.</param>
/// <param name="ConsumerWait">Time the consumer spent blocked waiting for a batch.</param>
/// <param name="SkipReasons">The first skip reasons (see <see cref="ImageTextLoaderOptions.KeptSkipReasons"/>).</param>
public sealed record LoaderStatistics(int Epoch, int Batches, long SamplesLoaded, long SamplesSkipped, TimeSpan Elapsed,
    TimeSpan ConsumerWait, IReadOnlyList<string> SkipReasons)
{
    /// <summary>Samples tried: loaded plus skipped.</summary>
    public long SamplesTried => SamplesLoaded + SamplesSkipped;

    /// <summary>Decoded images per second of the pass (wall clock).</summary>
    public double ImagesPerSecond => Elapsed > TimeSpan.Zero ? SamplesLoaded / Elapsed.TotalSeconds : 0;

    /// <summary>The share of the pass the consumer spent waiting: near 0 means the loader keeps up.</summary>
    public double WaitFraction => Elapsed > TimeSpan.Zero ? ConsumerWait / Elapsed : 0;

    public override string ToString() =>
        $"epoch {Epoch}: {Batches} batches, {SamplesLoaded} images ({ImagesPerSecond:F0}/s), {SamplesSkipped} skipped, " +
        $"consumer waited {ConsumerWait.TotalSeconds:F2} s of {Elapsed.TotalSeconds:F2} s";
}

/// <summary>Counts shared by the workers of one pass.</summary>
internal sealed class SkipLog(int keep)
{
    private readonly object _gate = new();
    private readonly List<string> _reasons = [];

    public long Loaded;
    public long Skipped;

    public long Tried => Interlocked.Read(ref Loaded) + Interlocked.Read(ref Skipped);

    public void Add(string reason)
    {
        Interlocked.Increment(ref Skipped);
        lock (_gate)
            if (_reasons.Count < keep) _reasons.Add(reason);
    }

    public IReadOnlyList<string> Reasons
    {
        get { lock (_gate) return _reasons.ToArray(); }
    }
}
