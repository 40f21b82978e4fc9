namespace MLNetClip.Data.Loading;

/// <summary>
/// How a skipped sample's slot is refilled without making the order depend on thread timing.
///
/// The epoch's chunks (one batch size each) are dealt round-robin to <see cref="Count"/> lanes:
/// lane l reads chunks l, l + 16, l + 32, ... as one stream. Each batch is filled by one worker
/// from one lane's stream, taking samples in order until the batch is full, so a skipped sample
/// is replaced by the next sample of the same lane: the first of the lane's next chunk when the
/// batch's own chunk runs out. Batch (round r, lane l) is the r-th batch of lane l, and batches
/// come out in (r, l) order. A lane depends only on its own earlier batches, so up to 16 batches
/// fill in parallel, and what each holds is fixed by the data and the seed alone. Without skips,
/// batch k is exactly chunk k. Each lane's short last batch goes to the end of the epoch, where
/// those rows are packed into full batches.
/// </summary>
internal sealed class SampleLanes
{
    /// <summary>Fixed, so the order never depends on tuning such as the worker count.</summary>
    public const int Count = 16;

    private readonly SampleChunks _chunks;
    private readonly Lane[] _lanes = new Lane[Count];

    public SampleLanes(SampleChunks chunks)
    {
        _chunks = chunks;
        for (var l = 0; l < Count; l++) _lanes[l] = new Lane(l);
    }

    /// <summary>
    /// The next candidate of lane <paramref name="lane"/>, or null when its stream is over.
    /// Only the worker filling that lane's current batch calls this.
    /// </summary>
    public Candidate? Next(int lane)
    {
        if (!HasMore(lane)) return null;
        var s = _lanes[lane];
        return s.Current![s.Position++];
    }

    /// <summary>True when lane <paramref name="lane"/> has another candidate (reading ahead if needed).</summary>
    public bool HasMore(int lane)
    {
        var s = _lanes[lane];
        while (true)
        {
            s.Current ??= _chunks.Get(s.ChunkIndex);
            if (s.Current is null) return false;
            if (s.Position < s.Current.Length) return true;
            _chunks.Release(s.ChunkIndex);
            s.ChunkIndex += Count;
            s.Current = null;
            s.Position = 0;
        }
    }

    private sealed class Lane(int index)
    {
        public int ChunkIndex = index;
        public Candidate[]? Current;
        public int Position;
    }
}
