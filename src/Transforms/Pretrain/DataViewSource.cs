using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Data.Datasets;
using MLNetClip.Transforms.Embedding;

namespace MLNetClip.Transforms.Pretrain;

/// <summary>
/// The image–caption pairs of an IDataView as a pretraining source: read once, in row order, into
/// records (an image path is read when the loader asks for it; bytes are held in memory).
/// </summary>
internal sealed class DataViewSource : IIndexedImageTextSource
{
    private readonly List<ImageTextRecord> _records;

    private DataViewSource(List<ImageTextRecord> records, string description)
    {
        _records = records;
        Description = description;
    }

    public string Description { get; }

    public IReadOnlyList<string>? ClassNames => null;

    public IReadOnlyList<string> Partitions { get; } = ["rows"];

    public int Count => _records.Count;

    public ImageTextRecord this[int index] => _records[index];

    public IEnumerable<ImageTextRecord> ReadPartition(int index, CancellationToken cancellationToken = default) =>
        index == 0 ? _records : throw new ArgumentOutOfRangeException(nameof(index), index, "the source has one partition");

    public IEnumerator<ImageTextRecord> GetEnumerator() => _records.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Reads the two columns; the image column must hold paths or encoded bytes, the caption column text.</summary>
    public static DataViewSource Read(IDataView data, string imageColumn, string captionColumn)
    {
        var kind = ImageColumn.Classify(data.Schema, imageColumn, MaskClipPretrainEstimator.Name);
        if (kind == ImageColumnKind.Image)
            throw new ArgumentOutOfRangeException(nameof(data), $"{MaskClipPretrainEstimator.Name}: image column '{imageColumn}' holds MLImages; " +
                "pretraining decodes and augments images itself, so give the paths (String) or encoded bytes (Vector<Byte>)");
        var caption = data.Schema.GetColumnOrNull(captionColumn)
                      ?? throw new ArgumentOutOfRangeException(nameof(data), $"{MaskClipPretrainEstimator.Name}: caption column '{captionColumn}' not found; expected String");
        if (caption.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(data), $"{MaskClipPretrainEstimator.Name}: caption column '{captionColumn}' is {caption.Type}; expected String");
        var records = new List<ImageTextRecord>();
        using var cursor = data.GetRowCursor([data.Schema[imageColumn], caption]);
        var image = ImageColumn.CreateReader(cursor, imageColumn, kind);
        var text = cursor.GetGetter<ReadOnlyMemory<char>>(caption);
        var value = default(ReadOnlyMemory<char>);
        while (cursor.MoveNext())
        {
            text(ref value);
            var key = cursor.Position.ToString(System.Globalization.CultureInfo.InvariantCulture);
            records.Add(image() switch
            {
                string path => ImageTextRecord.FromFile(key, "data view", path, value.ToString()),
                byte[] bytes => ImageTextRecord.FromBytes(key, "data view", bytes, null, value.ToString()),
                var other => throw new InvalidOperationException($"unexpected image value {other.GetType().Name}"),
            });
        }
        return new DataViewSource(records, $"data view columns '{imageColumn}' + '{captionColumn}' ({records.Count} rows)");
    }
}
