using System.Reflection;
using System.Runtime.InteropServices;

namespace MLNetClip.Torch.Native;

/// <summary>
/// Finds libmlnetclip_native.so. Order: the MLNETCLIP_NATIVE variable (a file or a folder),
/// the application folder, then build/native above the working or application folder, so
/// tests and tools run straight from a checkout after scripts/build-native.sh.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "mlnetclip_native";
    private const string FileName = "libmlnetclip_native.so";
    private static int _installed;

    internal static void EnsureInstalled()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != LibraryName) return IntPtr.Zero;
        ThreadWaitPolicy.ApplyDefault();                 // before libtorch (and libgomp) load
        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate)) return NativeLibrary.Load(candidate);
        }
        throw new DllNotFoundException(
            $"{FileName} was not found. Build it with scripts/build-native.sh, or set MLNETCLIP_NATIVE " +
            $"to its path. Looked in: {string.Join(", ", Candidates())}");
    }

    private static IEnumerable<string> Candidates()
    {
        var env = Environment.GetEnvironmentVariable("MLNETCLIP_NATIVE");
        if (!string.IsNullOrEmpty(env))
            yield return Directory.Exists(env) ? Path.Combine(env, FileName) : env;
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                yield return Path.Combine(dir.FullName, "build", "native", FileName);
        }
    }
}
