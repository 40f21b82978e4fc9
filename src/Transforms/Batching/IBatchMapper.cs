using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetClip.Transforms.Batching;

/// <summary>
/// One output column of a batched mapping: a float vector of <see cref="Width"/> values, or a key
/// (<see cref="Type"/> is a <see cref="KeyDataViewType"/>, Width 1) whose 1-based value is held as a float.
/// </summary>
internal sealed record BatchOutput(string Name, DataViewType Type, int Width, DataViewSchema.Annotations? Annotations = null);

/// <summary>
/// Maps many rows of one input column at once: the <see cref="BatchedDataView"/> reads up to
/// <see cref="BatchSize"/> input values ahead of the row being read, hands them over together, and
/// serves each row's outputs from the result. The inputs are copied out of the cursor first
/// (<see cref="CreateReader"/>), because a getter may reuse its buffer on the next row.
/// </summary>
internal interface IBatchMapper
{
    string InputColumn { get; }

    IReadOnlyList<BatchOutput> Outputs { get; }

    int BatchSize { get; }

    /// <summary>A function that copies the current row's input value out of <paramref name="cursor"/>.</summary>
    Func<object> CreateReader(DataViewRow cursor);

    /// <summary>
    /// Fills <paramref name="outputs"/>[k] (row-major, <c>inputs.Count × Outputs[k].Width</c>) from the inputs.
    /// </summary>
    void Map(IReadOnlyList<object> inputs, float[][] outputs);
}
