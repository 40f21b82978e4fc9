using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Transforms.Saving;

namespace MLNetClip.Transforms.Batching;

/// <summary>
/// The ITransformer side of a batched mapping: checks the input schema (naming a missing or
/// mistyped column and the type expected), appends the outputs lazily, and saves through
/// <see cref="ArchiveWriter"/>. It is not a row-to-row mapper: batching needs a cursor to read
/// ahead, which a PredictionEngine's single row does not give.
/// </summary>
public abstract class BatchedTransformer : ITransformer, IDisposable
{
    private readonly IDisposable? _owned;

    private protected BatchedTransformer(IDisposable? owned) => _owned = owned;

    public bool IsRowToRowMapper => false;

    /// <summary>Checks the input schema and returns it with the output columns appended.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return BatchedDataView.AppendOutputs(inputSchema, CreateMapper(inputSchema).Outputs);
    }

    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView(input, CreateMapper(input.Schema));
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new NotSupportedException($"{GetType().Name} maps rows in batches and has no row-to-row mapper; use Transform on an IDataView");

    /// <summary>The mapper for this input schema; throws naming the column when the schema does not fit.</summary>
    private protected abstract IBatchMapper CreateMapper(DataViewSchema inputSchema);

    /// <summary>Writes this transform's manifest entry (and any arrays or model it needs) for a save.</summary>
    private protected abstract void WriteTo(ArchiveWriter writer);

    void ICanSaveModel.Save(ModelSaveContext ctx) => ArchiveWriter.SavePlaceholder(ctx, WriteTo, GetType().Name);

    public void Dispose()
    {
        _owned?.Dispose();
        GC.SuppressFinalize(this);
    }
}
