using MLNetClip.Data.Images;
using MLNetClip.Data.Text;
using MLNetClip.Torch;

namespace MLNetClip.Data.Loading;

/// <summary>
/// A batch being filled: its tensors are allocated once, up front, and each sample is decoded
/// and tokenised straight into its row. Owned by one worker at a time, then by the run.
/// </summary>
internal sealed unsafe class BatchBuffer : IDisposable
{
    private readonly long _imageRow;
    private readonly int _context;
    private readonly int _views;
    private readonly int _size;
    private Tensor? _images;
    private Tensor? _ids;

    // views: images per sample, 1 or 3 for covering views (rows of [views, 3, S, S], boxes kept beside).
    public BatchBuffer(int capacity, int size, int contextLength, int views = 1)
    {
        Capacity = capacity;
        _context = contextLength;
        _views = views;
        _size = size;
        _imageRow = 3L * size * size * views;
        _images = Tensor.Empty([(long)capacity * views, 3, size, size]).DetachFromScope();
        Boxes = views > 1 ? new float[capacity * views * 4] : [];
        try { _ids = Tensor.Empty([capacity, contextLength], ScalarType.Int64).DetachFromScope(); }
        catch { _images.Dispose(); throw; }
        Keys = new string[capacity];
        Captions = new string[capacity];
        Origins = new string[capacity];
        Labels = new int?[capacity];
        SampleIds = new long[capacity];
    }

    public int Capacity { get; }

    /// <summary>Rows filled so far, 0 to <see cref="Capacity"/>.</summary>
    public int Count { get; private set; }

    public string[] Keys { get; }
    public string[] Captions { get; }
    public string[] Origins { get; }
    public int?[] Labels { get; }
    public long[] SampleIds { get; }

    /// <summary>With covering views: each view's box as fractions of its image (x0, y0, x1, y1), row-major.</summary>
    public float[] Boxes { get; }

    public bool IsFull => Count == Capacity;

    /// <summary>
    /// Tokenises and decodes one sample into the next free row. A skip leaves the row free for
    /// the next sample; the exception says why.
    /// </summary>
    public void Add(in Candidate candidate, ImagePreprocessor preprocessor, ClipTokenizer tokenizer, Random? random)
    {
        var record = candidate.Record;
        var caption = record.Caption;
        if (string.IsNullOrWhiteSpace(caption))
            throw new SampleSkippedException(caption is null ? "no caption" : "empty caption");
        var row = Count;
        var ids = new Span<long>((long*)_ids!.DataPointer + (long)row * _context, _context);
        if (tokenizer.EncodeRow(caption, ids) <= 2)
            throw new SampleSkippedException($"caption '{caption}' has no tokens after clean-up");
        if (!record.HasImage) throw new SampleSkippedException("no image");
        // Missing files and undecodable bytes surface as IOExceptions naming the file.
        if (_views > 1)
            preprocessor.WriteViewsInto(_images!, row * _views, record.ReadImageBytes(), random!, Boxes.AsSpan(row * _views * 4, _views * 4), record.Origin);
        else
            preprocessor.WriteInto(_images!, row, record.ReadImageBytes(), random, record.Origin);
        Keys[row] = record.Key;
        Captions[row] = caption;
        Origins[row] = record.Origin;
        Labels[row] = record.Label;
        SampleIds[row] = candidate.SampleId;
        Count = row + 1;
    }

    /// <summary>Appends row <paramref name="row"/> of <paramref name="from"/> (end-of-epoch packing).</summary>
    public void CopyRowFrom(BatchBuffer from, int row)
    {
        var to = Count;
        Buffer.MemoryCopy((float*)from._images!.DataPointer + row * from._imageRow, (float*)_images!.DataPointer + to * _imageRow,
            _imageRow * sizeof(float), _imageRow * sizeof(float));
        Buffer.MemoryCopy((long*)from._ids!.DataPointer + (long)row * _context, (long*)_ids!.DataPointer + (long)to * _context,
            _context * sizeof(long), _context * sizeof(long));
        GC.KeepAlive(from);
        Keys[to] = from.Keys[row];
        Captions[to] = from.Captions[row];
        Origins[to] = from.Origins[row];
        Labels[to] = from.Labels[row];
        SampleIds[to] = from.SampleIds[row];
        if (_views > 1) from.Boxes.AsSpan(row * _views * 4, _views * 4).CopyTo(Boxes.AsSpan(to * _views * 4));
        Count = to + 1;
    }

    /// <summary>Hands the tensors to a <see cref="LoaderBatch"/>; a short batch gets views of its filled rows.</summary>
    public LoaderBatch Publish(int epoch, int index)
    {
        var images = _images!;
        var ids = _ids!;
        _images = null;
        _ids = null;
        if (_views > 1) return PublishViews(epoch, index, images, ids);
        if (Count < Capacity)
        {
            // Views of the filled rows keep the storage alive; the full-size handles can go.
            Tensor? i = null, t = null;
            try
            {
                i = images.Narrow(0, 0, Count).DetachFromScope();
                t = ids.Narrow(0, 0, Count).DetachFromScope();
            }
            catch
            {
                i?.Dispose();
                t?.Dispose();
                throw;
            }
            finally
            {
                images.Dispose();
                ids.Dispose();
            }
            (images, ids) = (i, t);
        }
        return new LoaderBatch(epoch, index, images, ids, Keys[..Count], Captions[..Count], Origins[..Count],
            Labels[..Count], SampleIds[..Count]);
    }

    // Covering views: the batch's Views are [Count, V, 3, S, S] and its Images the covers (the last view).
    private LoaderBatch PublishViews(int epoch, int index, Tensor flat, Tensor ids)
    {
        Tensor? views = null, covers = null, boxes = null, t = null;
        try
        {
            views = flat.Narrow(0, 0, (long)Count * _views).View(Count, _views, 3, _size, _size).DetachFromScope();
            covers = views.Select(1, _views - 1).DetachFromScope();
            boxes = Tensor.FromArray(Boxes[..(Count * _views * 4)], Count, _views, 4).DetachFromScope();
            t = ids.Narrow(0, 0, Count).DetachFromScope();
        }
        catch
        {
            views?.Dispose();
            covers?.Dispose();
            boxes?.Dispose();
            t?.Dispose();
            throw;
        }
        finally
        {
            flat.Dispose();
            ids.Dispose();
        }
        return new LoaderBatch(epoch, index, covers, t, Keys[..Count], Captions[..Count], Origins[..Count],
            Labels[..Count], SampleIds[..Count], views, boxes);
    }

    public void Dispose()
    {
        _images?.Dispose();
        _ids?.Dispose();
        _images = null;
        _ids = null;
    }
}
