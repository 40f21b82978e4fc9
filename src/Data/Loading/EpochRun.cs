using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MLNetClip.Data.Images;
using MLNetClip.Data.Text;

namespace MLNetClip.Data.Loading;

/// <summary>
/// One pass over an epoch: the worker threads, the bounded window of batches ahead of the
/// consumer, and the hand-over in (round, lane) order (see <see cref="SampleLanes"/>). All
/// coordination happens under one lock, taken a few times per batch, never per sample.
/// </summary>
internal sealed class EpochRun : IDisposable
{
    private readonly ImageTextLoaderOptions _options;
    private readonly ImagePreprocessor _preprocessor;
    private readonly ClipTokenizer _tokenizer;
    private readonly SampleChunks _chunks;
    private readonly SampleLanes _lanes;
    private readonly string _description;
    private readonly int _epoch;
    private readonly Action<int> _onWorkers;
    private readonly object _gate = new();
    private readonly Thread[] _threads;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SkipLog _log;

    // Lane state, guarded by _gate.
    private readonly int[] _nextRound = new int[SampleLanes.Count];
    private readonly int[] _fullBatches = new int[SampleLanes.Count];
    private readonly bool[] _running = new bool[SampleLanes.Count];
    private readonly bool[] _done = new bool[SampleLanes.Count];
    private readonly BatchBuffer?[] _leftovers = new BatchBuffer?[SampleLanes.Count];
    private readonly Dictionary<(int Round, int Lane), BatchBuffer> _ready = [];
    private (int Round, int Lane) _head;
    private Queue<BatchBuffer>? _tail;
    private ExceptionDispatchInfo? _fault;
    private volatile bool _stopping;
    private int _published;
    private TimeSpan _wait;
    private TimeSpan? _finishedAt;

    public EpochRun(ImageTextLoaderOptions options, ImagePreprocessor preprocessor, ClipTokenizer tokenizer,
        SampleChunks chunks, SkipLog log, string description, int epoch, Action<int> onWorkers)
    {
        _options = options;
        _preprocessor = preprocessor;
        _tokenizer = tokenizer;
        _chunks = chunks;
        _lanes = new SampleLanes(chunks);
        _log = log;
        _description = description;
        _epoch = epoch;
        _onWorkers = onWorkers;
        _threads = new Thread[options.Workers];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"mlnetclip-loader-{i}" };
            _onWorkers(+1);
            // No execution context flows in: workers never see the consumer's state.
            _threads[i].UnsafeStart();
        }
    }

    public LoaderStatistics Statistics
    {
        get
        {
            lock (_gate)
                return new LoaderStatistics(_epoch, _published, Interlocked.Read(ref _log.Loaded), Interlocked.Read(ref _log.Skipped),
                    _finishedAt ?? _clock.Elapsed, _wait, _log.Reasons);
        }
    }

    /// <summary>The next batch in order, or null at the end of the epoch. Consumer thread only.</summary>
    public LoaderBatch? Next()
    {
        BatchBuffer? buffer = null;
        lock (_gate)
        {
            while (_tail is null)
            {
                _fault?.Throw();
                if (_ready.Remove(_head, out buffer))
                {
                    _head = Following(_head);
                    Monitor.PulseAll(_gate);
                    break;
                }
                if (_done.All(d => d) && _ready.Count == 0)
                {
                    CheckSkipRate(final: true);
                    _fault?.Throw();
                    _tail = PackLeftovers();
                    break;
                }
                if (IsAbsent(_head))
                {
                    _head = Following(_head);
                    continue;
                }
                var waited = Stopwatch.StartNew();
                Monitor.Wait(_gate);
                _wait += waited.Elapsed;
            }
            if (buffer is null && _tail is not null)
            {
                if (_tail.Count == 0)
                {
                    _finishedAt ??= _clock.Elapsed;
                    return null;
                }
                buffer = _tail.Dequeue();
            }
            _published++;
        }
        using (buffer) return buffer!.Publish(_epoch, _published - 1);
    }

    /// <summary>Stops the workers, waits for them, and frees every batch not handed out.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _finishedAt ??= _clock.Elapsed;
            Monitor.PulseAll(_gate);
        }
        foreach (var t in _threads) t.Join();
        lock (_gate)
        {
            foreach (var b in _ready.Values) b.Dispose();
            _ready.Clear();
            for (var l = 0; l < _leftovers.Length; l++)
            {
                _leftovers[l]?.Dispose();
                _leftovers[l] = null;
            }
            while (_tail is { Count: > 0 }) _tail.Dequeue().Dispose();
        }
        (_chunks as IDisposable)?.Dispose();
    }

    private void Work()
    {
        try
        {
            while (TakeJob() is { } job) RunJob(job.Round, job.Lane);
        }
        finally
        {
            _onWorkers(-1);
        }
    }

    private (int Round, int Lane)? TakeJob()
    {
        lock (_gate)
        {
            while (true)
            {
                if (_stopping || _fault is not null || _tail is not null) return null;
                (int Round, int Lane)? best = null;
                for (var l = 0; l < SampleLanes.Count; l++)
                {
                    if (_running[l] || _done[l]) continue;
                    var key = (_nextRound[l], l);
                    if (best is null || Compare(key, best.Value) < 0) best = key;
                }
                if (best is null && _done.All(d => d)) return null;
                if (best is { } job && InWindow(job))
                {
                    _running[job.Lane] = true;
                    return job;
                }
                Monitor.Wait(_gate);
            }
        }
    }

    private void RunJob(int round, int lane)
    {
        BatchBuffer? buffer = null;
        var exhausted = false;
        var full = false;
        try
        {
            buffer = new BatchBuffer(_options.BatchSize, _preprocessor.Size, _options.ContextLength, _preprocessor.ViewCount);
            while (!buffer.IsFull && !_stopping)
            {
                if (_lanes.Next(lane) is not { } candidate)
                {
                    exhausted = true;
                    break;
                }
                TryAdd(buffer, candidate);
            }
            if (!_stopping && !exhausted) exhausted = !_lanes.HasMore(lane);
            full = buffer.IsFull;
            if (!full && exhausted && buffer.Count > 0) buffer = Shrink(buffer);
        }
        catch (Exception e)
        {
            buffer?.Dispose();
            buffer = null;
            lock (_gate)
            {
                _fault ??= ExceptionDispatchInfo.Capture(e);
                _running[lane] = false;
                Monitor.PulseAll(_gate);
            }
            return;
        }

        lock (_gate)
        {
            _running[lane] = false;
            Monitor.PulseAll(_gate);
            if (_stopping)
            {
                buffer.Dispose();
                return;
            }
            if (full)
            {
                _ready[(round, lane)] = buffer;
                _fullBatches[lane]++;
            }
            else if (buffer.Count > 0) _leftovers[lane] = buffer;
            else buffer.Dispose();
            _nextRound[lane] = round + 1;
            _done[lane] = exhausted;
            CheckSkipRate(final: false);
        }
    }

    private void TryAdd(BatchBuffer buffer, Candidate candidate)
    {
        var random = _preprocessor.IsTraining ? SampleSeeds.Augmentation(_options.Seed, _epoch, candidate.SampleId) : null;
        try
        {
            buffer.Add(candidate, _preprocessor, _tokenizer, random);
            Interlocked.Increment(ref _log.Loaded);
        }
        catch (Exception e) when (e is SampleSkippedException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            var message = e is SampleSkippedException ? $"{candidate.Record.Origin}: {e.Message}" : e.Message;
            _log.Add($"{candidate.Record.Key}: {message}");
        }
    }

    // A lane's short last batch is copied to a right-sized buffer, so the leftovers held until the
    // end of the epoch cost their rows, not 16 full batches.
    private BatchBuffer Shrink(BatchBuffer buffer)
    {
        using (buffer)
        {
            var small = new BatchBuffer(buffer.Count, _preprocessor.Size, _options.ContextLength, _preprocessor.ViewCount);
            for (var r = 0; r < buffer.Count; r++) small.CopyRowFrom(buffer, r);
            return small;
        }
    }

    // Lane order, then row order: the leftovers' place in the epoch depends on nothing but the data.
    private Queue<BatchBuffer> PackLeftovers()
    {
        var queue = new Queue<BatchBuffer>();
        BatchBuffer? current = null;
        try
        {
            for (var l = 0; l < _leftovers.Length; l++)
            {
                if (_leftovers[l] is not { } left) continue;
                for (var r = 0; r < left.Count; r++)
                {
                    current ??= new BatchBuffer(_options.BatchSize, _preprocessor.Size, _options.ContextLength, _preprocessor.ViewCount);
                    current.CopyRowFrom(left, r);
                    if (!current.IsFull) continue;
                    queue.Enqueue(current);
                    current = null;
                }
                left.Dispose();
                _leftovers[l] = null;
            }
            if (current is { Count: > 0 } && !_options.DropLast) queue.Enqueue(current);
            else current?.Dispose();
            return queue;
        }
        catch
        {
            current?.Dispose();
            foreach (var b in queue) b.Dispose();
            throw;
        }
    }

    private void CheckSkipRate(bool final)
    {
        var skipped = Interlocked.Read(ref _log.Skipped);
        var tried = _log.Tried;
        if (tried == 0 || (!final && tried < _options.SkipRateMinSamples)) return;
        if (skipped <= _options.MaxSkipRate * tried) return;
        _fault ??= ExceptionDispatchInfo.Capture(
            new SkipRateExceededException(_description, tried, skipped, _options.MaxSkipRate, _log.Reasons));
        Monitor.PulseAll(_gate);
    }

    /// <summary>A key names no batch once its lane has finished with fewer full batches.</summary>
    private bool IsAbsent((int Round, int Lane) key) => _done[key.Lane] && key.Round >= _fullBatches[key.Lane];

    /// <summary>True when fewer than PrefetchBatches possible batches come before <paramref name="key"/>.</summary>
    private bool InWindow((int Round, int Lane) key)
    {
        var ahead = 0;
        for (var k = _head; Compare(k, key) < 0; k = Following(k))
            if (!IsAbsent(k) && ++ahead >= _options.PrefetchBatches) return false;
        return true;
    }

    private static (int Round, int Lane) Following((int Round, int Lane) key) =>
        key.Lane + 1 < SampleLanes.Count ? (key.Round, key.Lane + 1) : (key.Round + 1, 0);

    private static int Compare((int Round, int Lane) a, (int Round, int Lane) b) =>
        a.Round != b.Round ? a.Round.CompareTo(b.Round) : a.Lane.CompareTo(b.Lane);
}
