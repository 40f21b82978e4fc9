namespace MLNetClip.Models.Tests;

/// <summary>
/// Finds the read-only shared reference material: $MLNETCLIP_SHARED, or a "shared" folder with a
/// "fixtures" subfolder beside any ancestor of the test binaries (../shared from the repository).
/// </summary>
internal static class SharedFixtures
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root.Value, "fixtures", .. parts]);

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("MLNETCLIP_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            if (Directory.Exists(System.IO.Path.Combine(env, "fixtures"))) return env;
            throw new DirectoryNotFoundException($"MLNETCLIP_SHARED={env} has no fixtures folder");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "fixtures"))) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"no shared/fixtures folder beside any ancestor of {AppContext.BaseDirectory}; set MLNETCLIP_SHARED");
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnetclip-models-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
