using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetClip.Transforms.Batching;

/// <summary>
/// The source data with a batched mapper's output columns appended (a same-named source column
/// is hidden, as ML.NET transforms do). Lazy like any IDataView: nothing runs until a cursor asks
/// for an output column. Such a cursor reads the source twice in lockstep: the main cursor serves
/// the source columns, a second one over the input column alone runs up to one batch ahead so the
/// mapper sees <see cref="IBatchMapper.BatchSize"/> rows per call. Both are opened with the same
/// seed, so a shuffling source gives them the same order (IDataView's repeatability contract).
/// </summary>
internal sealed class BatchedDataView : IDataView
{
    private readonly IDataView _source;
    private readonly IBatchMapper _mapper;
    private readonly int[] _outputIndices;

    public BatchedDataView(IDataView source, IBatchMapper mapper)
    {
        _source = source;
        _mapper = mapper;
        Schema = AppendOutputs(source.Schema, mapper.Outputs);
        _outputIndices = mapper.Outputs.Select(o => Schema[o.Name].Index).ToArray();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _source.CanShuffle;

    public long? GetRowCount() => _source.GetRowCount();

    public static DataViewSchema AppendOutputs(DataViewSchema source, IReadOnlyList<BatchOutput> outputs)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source);
        foreach (var o in outputs) builder.AddColumn(o.Name, o.Type, o.Annotations);
        return builder.ToSchema();
    }

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        // The builder keeps every source column (hidden ones too) at its index; outputs come after.
        var sourceNeeded = _source.Schema.Where(c => needed.Contains(c.Index)).ToList();
        var wantsOutput = _outputIndices.Any(needed.Contains);
        var seed = rand?.Next();
        var main = _source.GetRowCursor(sourceNeeded, seed is { } s ? new Random(s) : null);
        DataViewRowCursor? ahead = null;
        if (wantsOutput)
            ahead = _source.GetRowCursor([_source.Schema[_mapper.InputColumn]], seed is { } s2 ? new Random(s2) : null);
        return new BatchedCursor(this, main, ahead, _mapper, needed, _outputIndices);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];                                                 // one cursor keeps the batches whole
}
