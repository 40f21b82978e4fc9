using MLNetClip.Data.Datasets;
using MLNetClip.Data.Images;
using MLNetClip.Data.Text;

namespace MLNetClip.Data.Loading;

/// <summary>
/// Feeds training: worker threads read, decode, augment and tokenise image–caption samples
/// straight into preallocated batch tensors ([B, 3, S, S] float32 and [B, context] int64),
/// keeping at most <see cref="ImageTextLoaderOptions.PrefetchBatches"/> batches ahead of the consumer.
///
/// <para><b>Order.</b> For a given seed, epoch, rank and world size the batches and their contents
/// are the same in every run, whatever the worker count or thread timing; each epoch is
/// reshuffled. Each sample's augmentation is drawn from a generator seeded by
/// (seed, epoch, sample id). Skipped samples are replaced by later ones in a fixed way
/// (see <see cref="SampleLanes"/>).</para>
///
/// <para><b>Ranks.</b> Indexed sources (manifests, folders) deal one shared permutation of the
/// indices out to the ranks; partitioned sources (tar shards) deal out whole shards, then mix
/// the rank's samples in a shuffle buffer. Either way the ranks' shares are disjoint and cover the data.</para>
///
/// <para><b>Bad samples.</b> A missing or undecodable image, or a missing or empty caption, is
/// skipped, counted and (the first few) explained in <see cref="Statistics"/>; a damaged shard
/// costs its remaining samples. When the skipped share passes
/// <see cref="ImageTextLoaderOptions.MaxSkipRate"/> the pass throws a <see cref="SkipRateExceededException"/>.</para>
///
/// <para><b>Ownership.</b> Every <see cref="LoaderBatch"/> yielded belongs to the consumer, who
/// disposes it. Leaving the loop early (break, exception) stops and joins the workers and frees
/// every batch that was not handed out.</para>
/// </summary>
public sealed class ImageTextLoader
{
    private readonly ImagePreprocessor _preprocessor;
    private readonly ClipTokenizer _tokenizer;
    private int _activeWorkers;
    private EpochRun? _latest;

    public ImageTextLoader(IImageTextSource source, ImageTextLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new ImageTextLoaderOptions();
        options.Validate();
        Source = source;
        Options = options;
        _preprocessor = new ImagePreprocessor(options.ResolvePreprocessing());
        _tokenizer = options.Tokenizer ?? ClipTokenizer.Default;
        if (source is not IIndexedImageTextSource && source.Partitions.Count < options.WorldSize)
            _ = StreamedChunks.Plan(source, options.Seed, 0, options.Shuffle, options.Rank, options.WorldSize);
    }

    public IImageTextSource Source { get; }

    public ImageTextLoaderOptions Options { get; }

    /// <summary>Worker threads of this loader alive right now, over all passes in progress.</summary>
    public int ActiveWorkers => Volatile.Read(ref _activeWorkers);

    /// <summary>The most recent pass's progress, or null before the first.</summary>
    public LoaderStatistics? Statistics => Volatile.Read(ref _latest)?.Statistics;

    /// <summary>
    /// The batches of one epoch, in order. Workers start when enumeration starts and stop when it
    /// ends; several passes may run at once, each with its own workers.
    /// </summary>
    /// <param name="epoch">The epoch, 0 or more; it seeds the order and the augmentation.</param>
    /// <param name="startBatch">
    /// Batches to pass over first, for resuming mid-epoch: the first batch yielded is the one with
    /// <see cref="LoaderBatch.Index"/> = <paramref name="startBatch"/>, identical to the one a full pass
    /// yields there. The skipped batches are still decoded and then discarded, because which later
    /// samples refill a bad sample's slot is only known by decoding (see <see cref="SampleLanes"/>).
    /// </param>
    public IEnumerable<LoaderBatch> ReadEpoch(int epoch, int startBatch = 0)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epoch must be 0 or more");
        if (startBatch < 0) throw new ArgumentOutOfRangeException(nameof(startBatch), startBatch, "startBatch must be 0 or more");
        return Run(epoch, startBatch);
    }

    private IEnumerable<LoaderBatch> Run(int epoch, int startBatch)
    {
        var log = new SkipLog(Options.KeptSkipReasons);
        var chunks = Chunks(epoch, log);
        using var run = new EpochRun(Options, _preprocessor, _tokenizer, chunks, log, Source.Description, epoch,
            delta => Interlocked.Add(ref _activeWorkers, delta));
        Volatile.Write(ref _latest, run);
        while (run.Next() is { } batch)
        {
            if (batch.Index < startBatch)
            {
                batch.Dispose();
                continue;
            }
            yield return batch;
        }
    }

    private SampleChunks Chunks(int epoch, SkipLog log)
    {
        var o = Options;
        if (Source is IIndexedImageTextSource indexed)
            return new IndexedChunks(indexed, IndexedChunks.Plan(indexed.Count, o.Seed, epoch, o.Shuffle, o.Rank, o.WorldSize), o.BatchSize);
        var partitions = StreamedChunks.Plan(Source, o.Seed, epoch, o.Shuffle, o.Rank, o.WorldSize);
        var mixing = SampleSeeds.Epoch(o.Seed, epoch, purpose: 3 + ((ulong)o.Rank << 8));
        return new StreamedChunks(Source, partitions, o.Shuffle ? o.ShuffleBuffer : 0, mixing, o.BatchSize, log.Add, CancellationToken.None);
    }
}
