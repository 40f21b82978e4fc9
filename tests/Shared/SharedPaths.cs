namespace MLNetClip.Tests;

/// <summary>
/// Finds the read-only shared reference folder: $MLNETCLIP_SHARED if set, else the first
/// <c>shared/</c> beside an ancestor of the test binaries that holds a <c>fixtures</c> folder.
/// </summary>
internal static class SharedPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string Fixture(params string[] parts) => Existing(Path.Combine([Root, "fixtures", .. parts]));

    public static string Data(params string[] parts) => Existing(Path.Combine([Root, "data", .. parts]));

    private static string Existing(string path) =>
        File.Exists(path) || Directory.Exists(path)
            ? path
            : throw new FileNotFoundException($"shared file {path} not found (shared root {Root})", path);

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("MLNETCLIP_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(Path.Combine(env, "fixtures"))
                ? env
                : throw new DirectoryNotFoundException($"MLNETCLIP_SHARED={env} has no fixtures folder");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "fixtures"))) return candidate;
        }
        throw new DirectoryNotFoundException($"no shared/fixtures folder beside any ancestor of {AppContext.BaseDirectory}; set MLNETCLIP_SHARED");
    }
}
