using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetClip.Transforms.Saving;

// Usage: LoadCheck MODEL.zip PATHS.txt OUT.bin COLUMN
// Loads MODEL.zip with LoadWithMaskClip in a fresh MLContext, runs it over the image paths (one
// per line, column "Path"; column "Caption" empty), and writes COLUMN's values as little-endian float32, row after row.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: LoadCheck MODEL.zip PATHS.txt OUT.bin COLUMN");
    return 2;
}
try
{
    var ml = new MLContext(seed: 0);
    var model = ml.Model.LoadWithMaskClip(args[0], out _);
    var rows = File.ReadAllLines(args[1]).Select(p => new PathRow { Path = p }).ToList();
    var output = model.Transform(ml.Data.LoadFromEnumerable(rows));
    using var file = new BinaryWriter(File.Create(args[2]));
    foreach (var row in output.GetColumn<float[]>(args[3]))
        foreach (var v in row) file.Write(v);
    return 0;
}
catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

internal sealed class PathRow
{
    public string Path { get; set; } = "";

    /// <summary>Empty captions, for pipelines that also embed a "Caption" column.</summary>
    public string Caption { get; set; } = "";
}
