using System.Diagnostics;
using System.Text.Json;

namespace MLNetClip.Reports.Tests;

/// <summary>
/// Debian's chromium (scripts/setup.sh installs it), run headless and offline: the page is opened
/// from a file, and a script appended to a copy of it records what each &lt;img&gt; loaded.
/// </summary>
internal static class Chromium
{
    private static readonly Lazy<string?> Path = new(Find);

    public static string? Executable => Path.Value;

    /// <summary>What each image of the page reports once the page has loaded: complete, naturalWidth, naturalHeight, alt.</summary>
    public sealed record ImageState(bool Complete, int NaturalWidth, int NaturalHeight, string Alt);

    // Runs after the load event, when every image has either decoded or failed.
    private const string Probe = """
        <script>
        window.addEventListener("load", () => {
          const pre = document.createElement("pre");
          pre.id = "image-check";
          pre.textContent = JSON.stringify(Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt]));
          document.body.appendChild(pre);
        });
        </script>
        """;

    public static IReadOnlyList<ImageState> LoadImages(string html)
    {
        var exe = Executable ?? throw new InvalidOperationException("chromium is not installed");
        var dir = Directory.CreateTempSubdirectory("mlnetclip-chromium-");
        try
        {
            var page = System.IO.Path.Combine(dir.FullName, "page.html");
            var at = html.LastIndexOf("</body>", StringComparison.Ordinal);
            File.WriteAllText(page, html[..at] + Probe + html[at..]);
            var dom = Run(exe, dir.FullName, "--dump-dom", new Uri(page).AbsoluteUri);
            const string start = "<pre id=\"image-check\">";
            var from = dom.IndexOf(start, StringComparison.Ordinal);
            if (from < 0) throw new InvalidOperationException($"the page's load event never reported (dumped DOM ends: {dom[^Math.Min(300, dom.Length)..]})");
            from += start.Length;
            var json = System.Net.WebUtility.HtmlDecode(dom[from..dom.IndexOf("</pre>", from, StringComparison.Ordinal)]);
            return JsonSerializer.Deserialize<JsonElement[][]>(json)!
                .Select(i => new ImageState(i[0].GetBoolean(), i[1].GetInt32(), i[2].GetInt32(), i[3].GetString()!)).ToList();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Run(string exe, string profileParent, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Headless, sandbox off (tests may run as root), and nothing that reaches the network.
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--virtual-time-budget=10000",
            $"--user-data-dir={System.IO.Path.Combine(profileParent, "profile")}",
        }.Concat(args))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish in 2 minutes");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"chromium exited with {p.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    private static string? Find()
    {
        foreach (var name in new[] { "chromium", "chromium-browser" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = System.IO.Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}

/// <summary>A fact that needs a real browser; skipped, saying so, only when chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Executable is null)
            Skip = "chromium is not installed (bash scripts/setup.sh installs Debian's chromium package); the report's browser check needs it";
    }
}
