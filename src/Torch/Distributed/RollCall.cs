namespace MLNetClip.Torch.Distributed;

/// <summary>
/// Finds which ranks are dead after a collective failed. A survivor's main thread can be blocked
/// in a transfer from another survivor (not from the dead rank) until the group timeout, so it
/// cannot be asked to report; a background thread on every rank answers instead. The caller
/// raises a flag in the rendezvous store, each living rank's thread answers within a poll, and
/// a dead one never does. The caller then publishes the verdict and waits until every living
/// rank's thread has read it: a survivor whose transfer only fails once rank 0 exits would
/// otherwise find the store (hosted by rank 0) gone and blame rank 0.
/// </summary>
internal sealed class RollCall : IDisposable
{
    private const string Called = "mlnetclip/rollcall", Verdict = "mlnetclip/verdict";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly ProcessGroup _group;
    private readonly ManualResetEventSlim _closing = new();
    private readonly Thread _answerer;
    private volatile IReadOnlyList<int>? _heard;

    public RollCall(ProcessGroup group)
    {
        _group = group;
        _answerer = new Thread(Answer) { IsBackground = true, Name = $"mlnetclip roll call (rank {group.Rank})" };
        _answerer.Start();
    }

    /// <summary>
    /// The ranks, other than this one, that did not answer within <paramref name="wait"/>; null
    /// when the store itself is unreachable (its host, rank 0, is gone) and no verdict was heard.
    /// </summary>
    public IReadOnlyList<int>? Silent(TimeSpan wait)
    {
        if (_heard is { } heard) return heard;
        if (!_group.TrySetNote(Called, "1")) return _heard;
        var deadline = DateTime.UtcNow + wait;
        var silent = new List<int>();
        while (true)
        {
            silent.Clear();
            foreach (var r in Others())
            {
                var here = _group.HasNote(Key("here", r));
                if (here is null) return _heard;
                if (here == false) silent.Add(r);
            }
            if (silent.Count == 0 || DateTime.UtcNow >= deadline) break;
            Thread.Sleep(Poll);
        }
        foreach (var r in silent) _group.TrySetNote(Key("dead", r), "1");
        _group.TrySetNote(Verdict, "1");
        var living = Others().Except(silent).ToList();
        while (DateTime.UtcNow < deadline + wait && living.Any(r => _group.HasNote(Key("heard", r)) == false)) Thread.Sleep(Poll);
        return silent;
    }

    private void Answer()
    {
        if (!Await(Called)) return;
        _group.TrySetNote(Key("here", _group.Rank), "1");
        if (!Await(Verdict)) return;
        var dead = new List<int>();
        foreach (var r in Others())
        {
            var noted = _group.HasNote(Key("dead", r));
            if (noted is null) return;
            if (noted == true) dead.Add(r);
        }
        _heard = dead;
        _group.TrySetNote(Key("heard", _group.Rank), "1");
    }

    /// <summary>Polls for a key until it is set (true), or the store is gone or the group closes (false).</summary>
    private bool Await(string key)
    {
        while (!_closing.Wait(Poll))
        {
            var set = _group.HasNote(key);
            if (set is null) return false;
            if (set == true) return true;
        }
        return false;
    }

    private IEnumerable<int> Others() => Enumerable.Range(0, _group.WorldSize).Where(r => r != _group.Rank);

    private static string Key(string kind, int rank) => $"mlnetclip/{kind}/{rank}";

    /// <summary>Stops the answering thread; it finishes at most one store request first, so the group's handle outlives it.</summary>
    public void Dispose()
    {
        _closing.Set();
        _answerer.Join();
        _closing.Dispose();
    }
}
