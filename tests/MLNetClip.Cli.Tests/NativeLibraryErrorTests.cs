namespace MLNetClip.Cli.Tests;

/// <summary>
/// The CLI as a child process on a machine where the native library is not built, or not
/// loadable. The loader looks in $MLNETCLIP_NATIVE, the application folder, then build/native
/// above the working and application folders; a copy of the application outside the checkout,
/// without the library and without the variable, leaves it nowhere to find.
/// </summary>
public sealed class NativeLibraryErrorTests : IDisposable
{
    private const string Library = "libmlnetclip_native.so";
    private readonly string _app = Directory.CreateTempSubdirectory("mlnetclip-no-native-").FullName;

    public NativeLibraryErrorTests()
    {
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory).Where(f => Path.GetFileName(f) != Library))
            File.Copy(file, Path.Combine(_app, Path.GetFileName(file)));
        // The test means nothing if a library sits where the loader would still find it.
        for (var dir = new DirectoryInfo(_app); dir != null; dir = dir.Parent)
            Assert.False(File.Exists(Path.Combine(dir.FullName, "build", "native", Library)), $"{dir.FullName}/build/native holds the library");
    }

    public void Dispose() => Directory.Delete(_app, recursive: true);

    private string Dll => Path.Combine(_app, "mlnetclip.dll");

    private static readonly Dictionary<string, string?> Unset = new() { ["MLNETCLIP_NATIVE"] = null };

    [Fact]
    public void TheCopiedApplicationRunsWhenTheLibraryIsNamed()
    {
        // The control: the same copy, the same command, with only the library's path added, works.
        var real = Path.Combine(AppContext.BaseDirectory, Library);
        var (exit, output, error) = CliRunner.RunChild(Dll, _app, new Dictionary<string, string?> { ["MLNETCLIP_NATIVE"] = real },
            "check-hf-parity", SharedPaths.Fixture("hf_clip_tiny_a"));
        Assert.True(exit == 0, output + error);
        Assert.Contains("parity       OK", output);
    }

    [Fact]
    public void AMissingLibrarySaysItIsNotBuiltAndHowToBuildIt()
    {
        var (exit, output, error) = CliRunner.RunChild(Dll, _app, Unset, "check-hf-parity", SharedPaths.Fixture("hf_clip_tiny_a"));
        Assert.Equal(ExitCodes.Environment, exit);
        var line = CliErrorTests.OneErrorLine(error);
        Assert.Contains($"the native library {Library} is not built", line);
        Assert.Contains("bash scripts/setup.sh", line);
        Assert.Equal("", output);
    }

    [Fact]
    public void VerboseShowsWhereTheLoaderLooked()
    {
        var (exit, _, error) = CliRunner.RunChild(Dll, _app, Unset, "selfcheck", "--verbose");
        Assert.Equal(ExitCodes.Environment, exit);
        Assert.StartsWith("mlnetclip: error: the native library", error);
        Assert.Contains("System.DllNotFoundException", error);
        Assert.Contains($"Looked in: {Path.Combine(_app, Library)}", error);
    }

    [Fact]
    public void ALibraryThatCannotBeLoadedIsNamedWithTheLoadersReason()
    {
        var broken = Path.Combine(_app, "broken.so");
        File.WriteAllText(broken, "not an ELF file");
        var (exit, _, error) = CliRunner.RunChild(Dll, _app, new Dictionary<string, string?> { ["MLNETCLIP_NATIVE"] = broken }, "selfcheck");
        Assert.Equal(ExitCodes.Environment, exit);
        var line = CliErrorTests.OneErrorLine(error);
        Assert.Contains("the native library could not be loaded", line);
        Assert.Contains(broken, line);
    }
}
