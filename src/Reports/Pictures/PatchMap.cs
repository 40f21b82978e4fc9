namespace MLNetClip.Reports.Pictures;

/// <summary>
/// One number per patch of an image's patch grid, row-major (patch i sits at row i / Cols,
/// column i % Cols): a similarity, an attention weight, or a mask (0 = keep, 1 = remove).
/// </summary>
public sealed record PatchMap
{
    public PatchMap(int rows, int cols, float[] values)
    {
        if (rows < 1 || cols < 1) throw new ArgumentOutOfRangeException(nameof(rows), $"a patch grid needs at least 1 x 1 patches, got {rows} x {cols}");
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != rows * cols)
            throw new ArgumentException($"{values.Length} values do not fill a {rows} x {cols} grid", nameof(values));
        Rows = rows;
        Cols = cols;
        Values = values;
    }

    public int Rows { get; }

    public int Cols { get; }

    public float[] Values { get; }

    public float this[int row, int col] => Values[row * Cols + col];

    public float Min => Values.Min();

    public float Max => Values.Max();

    /// <summary>
    /// The patch under pixel (x, y) of a width × height picture of the whole image: column
    /// ⌊x·Cols/width⌋, row ⌊y·Rows/height⌋, so patches tile the picture even when sizes do not divide.
    /// </summary>
    public (int Row, int Col) PatchAt(int x, int y, int width, int height) =>
        ((int)((long)y * Rows / height), (int)((long)x * Cols / width));
}
