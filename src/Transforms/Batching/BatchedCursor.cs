using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetClip.Transforms.Batching;

/// <summary>
/// A cursor over <see cref="BatchedDataView"/>: source columns come from the main cursor, outputs
/// from a window of mapped rows that is refilled, one batch at a time, from the look-ahead cursor
/// when the main cursor walks past it. Rows whose outputs are never asked for are skipped, not mapped.
/// </summary>
internal sealed class BatchedCursor : DataViewRowCursor
{
    private readonly BatchedDataView _view;
    private readonly DataViewRowCursor _main;
    private readonly DataViewRowCursor? _ahead;
    private readonly IBatchMapper _mapper;
    private readonly HashSet<int> _active;
    private readonly int[] _outputIndices;
    private readonly Func<object>? _read;
    private readonly float[][] _window;
    private long _position = -1;
    private long _aheadPosition = -1;
    private long _windowStart;
    private int _windowCount;

    public BatchedCursor(BatchedDataView view, DataViewRowCursor main, DataViewRowCursor? ahead, IBatchMapper mapper,
        HashSet<int> active, int[] outputIndices)
    {
        _view = view;
        _main = main;
        _ahead = ahead;
        _mapper = mapper;
        _active = active;
        _outputIndices = outputIndices;
        _read = ahead is null ? null : mapper.CreateReader(ahead);
        _window = mapper.Outputs.Select(o => new float[mapper.BatchSize * o.Width]).ToArray();
    }

    public override DataViewSchema Schema => _view.Schema;

    public override long Position => _position;

    public override long Batch => _main.Batch;

    public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

    public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

    public override bool MoveNext()
    {
        if (!_main.MoveNext()) return false;
        _position++;
        return true;
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var output = Array.IndexOf(_outputIndices, column.Index);
        if (output < 0) return _main.GetGetter<TValue>(_main.Schema[column.Index]);
        if (!IsColumnActive(column)) throw new InvalidOperationException($"column '{column.Name}' was not asked for when the cursor was opened");
        var spec = _mapper.Outputs[output];
        if (spec.Type is KeyDataViewType)
        {
            if (typeof(TValue) != typeof(uint)) throw TypeMismatch(column, typeof(uint));
            ValueGetter<uint> key = (ref uint value) => value = (uint)Row(output)[0];
            return (ValueGetter<TValue>)(Delegate)key;
        }
        if (typeof(TValue) != typeof(VBuffer<float>)) throw TypeMismatch(column, typeof(VBuffer<float>));
        ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
        {
            var row = Row(output);
            var editor = VBufferEditor.Create(ref value, row.Length);
            row.CopyTo(editor.Values);
            value = editor.Commit();
        };
        return (ValueGetter<TValue>)(Delegate)vector;
    }

    private static InvalidOperationException TypeMismatch(DataViewSchema.Column column, Type expected) =>
        new($"column '{column.Name}' is read as {expected.Name}");

    /// <summary>Output <paramref name="output"/> of the current row, mapping the next batch when the row is past the window.</summary>
    private ReadOnlySpan<float> Row(int output)
    {
        if (_position < 0) throw new InvalidOperationException("the cursor is not on a row; call MoveNext first");
        if (_position >= _windowStart + _windowCount) Fill();
        var width = _mapper.Outputs[output].Width;
        return _window[output].AsSpan((int)(_position - _windowStart) * width, width);
    }

    private void Fill()
    {
        var ahead = _ahead!;
        while (_aheadPosition < _position - 1)
        {
            if (!ahead.MoveNext()) throw LostStep();
            _aheadPosition++;
        }
        var inputs = new List<object>(_mapper.BatchSize);
        while (inputs.Count < _mapper.BatchSize && ahead.MoveNext())
        {
            _aheadPosition++;
            inputs.Add(_read!());
        }
        if (inputs.Count == 0) throw LostStep();
        _mapper.Map(inputs, _window);
        _windowStart = _position;
        _windowCount = inputs.Count;
    }

    private static InvalidOperationException LostStep() =>
        new("the source data gave a second cursor fewer rows than the first; it must give every cursor the same rows in the same order");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _main.Dispose();
            _ahead?.Dispose();
        }
        base.Dispose(disposing);
    }
}
