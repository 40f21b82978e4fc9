using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNetClip.Transforms.Saving;

/// <summary>The placeholder's input row: one float column nobody reads.</summary>
public sealed class SlotInput
{
    [ColumnName(SlotFactory.InputColumn)]
    public float Slot { get; set; }
}

/// <summary>The placeholder's output row.</summary>
public sealed class SlotOutput
{
    [ColumnName(SlotFactory.OutputColumn)]
    public float Slot { get; set; }
}

/// <summary>
/// The CustomMapping contract that stands in, inside ML.NET's part of a saved zip, for each of our
/// transforms (see <see cref="ArchiveManifest"/>). Loaded by <c>LoadWithMaskClip</c>, which swaps
/// every placeholder for the transform the manifest describes. Loaded by ML.NET's plain
/// <c>Model.Load</c>, it fails at once saying which load to use, since it carries no weights.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class SlotFactory : CustomMappingFactory<SlotInput, SlotOutput>
{
    public const string ContractName = "MLNetClip.Slot.v1";
    public const string InputColumn = "MLNetClip.Slot";
    public const string OutputColumn = "MLNetClip.SlotOut";

    private static readonly AsyncLocal<bool> Loading = new();

    /// <summary>True while <see cref="ArchiveReader"/> runs ML.NET's load (the placeholders are replaced right after).</summary>
    internal static bool IsLoading
    {
        get => Loading.Value;
        set => Loading.Value = value;
    }

    public override Action<SlotInput, SlotOutput> GetMapping()
    {
        if (!IsLoading)
            throw new InvalidOperationException("this model holds MLNetClip transforms, whose weights ML.NET's Model.Load cannot read; " +
                "load it with mlContext.Model.LoadWithMaskClip(path, out schema)");
        return (input, output) => throw new InvalidOperationException("an MLNetClip placeholder was not replaced after loading");
    }
}
