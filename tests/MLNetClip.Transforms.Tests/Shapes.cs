using System.Reflection;
using Microsoft.ML;

namespace MLNetClip.Transforms.Tests;

/// <summary>
/// A DataViewSchema's SchemaShape, as ML.NET's own estimator tests get it (SchemaShape.Create is
/// internal to ML.NET, so the test reaches it by reflection).
/// </summary>
internal static class Shapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic,
        [typeof(DataViewSchema)]) ?? throw new MissingMethodException("SchemaShape.Create(DataViewSchema)");

    public static SchemaShape Of(DataViewSchema schema) => (SchemaShape)Create.Invoke(null, [schema])!;
}
