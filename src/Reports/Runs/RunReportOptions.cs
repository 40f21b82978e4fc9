using MLNetClip.Data.Datasets;

namespace MLNetClip.Reports.Runs;

/// <summary>What <see cref="RunReport"/> shows beyond the run folder itself.</summary>
public sealed record RunReportOptions
{
    /// <summary>
    /// A manifest to draw example images from; null takes the run's own manifest (as recorded in
    /// config.json) when it still exists. Examples need the run's model/ as well.
    /// </summary>
    public string? Data { get; init; }

    /// <summary>Row filters for <see cref="Data"/> ("split=test"); with the run's own manifest, null reuses the run's filters.</summary>
    public IReadOnlyList<ColumnFilter>? Filters { get; init; }

    public string ImageColumn { get; init; } = "filepath";

    public string CaptionColumn { get; init; } = "title";

    /// <summary>How many example images to draw, spread evenly over the rows. Default 6; 0 draws none.</summary>
    public int Examples { get; init; } = 6;

    /// <summary>Side of each example picture in pixels. Default 176.</summary>
    public int PictureSize { get; init; } = 176;

    /// <summary>Seeds the example masks. Default 0.</summary>
    public int Seed { get; init; }

    public void Validate()
    {
        if (Examples is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(Examples), Examples, "examples must be 0 to 64");
        if (PictureSize is < 32 or > 1024) throw new ArgumentOutOfRangeException(nameof(PictureSize), PictureSize, "the picture size must be 32 to 1024 pixels");
    }
}
