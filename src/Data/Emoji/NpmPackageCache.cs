using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace MLNetClip.Data.Emoji;

/// <summary>
/// Keeps the pinned npm tarballs in a cache folder, downloading each at most once with
/// <c>npm pack</c> (which fetches the tarball without installing or running anything) and
/// checking it against the pinned integrity before use. Nothing is unpacked: the builder reads
/// members straight out of the .tgz.
/// </summary>
public sealed class NpmPackageCache
{
    public NpmPackageCache(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The default cache: <c>$XDG_CACHE_HOME/mlnetclip/npm</c>, else <c>~/.cache/mlnetclip/npm</c>.</summary>
    public static string DefaultDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(root, "mlnetclip", "npm");
        }
    }

    public string Directory { get; }

    /// <summary>True when the package's tarball is already cached and intact.</summary>
    public bool Has(EmojiPackage package)
    {
        var path = Path.Combine(Directory, package.TarballName);
        return File.Exists(path) && IntegrityOf(path) == package.Integrity;
    }

    /// <summary>The cached tarball's path, downloading it first if it is absent or damaged.</summary>
    public string Get(EmojiPackage package, Action<string>? log = null)
    {
        var path = Path.Combine(Directory, package.TarballName);
        if (File.Exists(path))
        {
            if (IntegrityOf(path) == package.Integrity) return path;
            log?.Invoke($"cached {package.TarballName} does not match its pinned integrity; downloading again");
            File.Delete(path);
        }
        System.IO.Directory.CreateDirectory(Directory);
        var staging = Path.Combine(Directory, ".download-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(staging);
        try
        {
            log?.Invoke($"npm pack {package.Spec}");
            RunNpm(package, staging);
            var downloaded = Path.Combine(staging, package.TarballName);
            if (!File.Exists(downloaded))
                throw new InvalidOperationException($"npm pack {package.Spec} finished but wrote no {package.TarballName} in {staging}");
            var integrity = IntegrityOf(downloaded);
            if (integrity != package.Integrity)
                throw new InvalidDataException(
                    $"{package.Spec} from the registry has integrity {integrity}, but {package.Integrity} is pinned; refusing to use it");
            File.Move(downloaded, path, overwrite: true);
            return path;
        }
        finally
        {
            System.IO.Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The npm-style integrity string of a file: "sha512-" and the base64 digest.</summary>
    public static string IntegrityOf(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha512-" + Convert.ToBase64String(SHA512.HashData(stream));
    }

    private static void RunNpm(EmojiPackage package, string destination)
    {
        var info = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = destination,
        };
        foreach (var arg in new[] { "pack", package.Spec, "--pack-destination", destination, "--ignore-scripts", "--silent" })
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "the emoji benchmark downloads its packages with npm, which is not installed (Debian: apt-get install nodejs npm)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"npm pack {package.Spec} failed with exit code {process.ExitCode}: {Tail(stderr.Result)}");
        }
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new StringBuilder().AppendJoin(" / ", lines.TakeLast(5)).ToString();
    }
}
