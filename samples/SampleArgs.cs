using System.Globalization;

namespace MLNetClip.Samples;

/// <summary>"--name value" command-line options of the samples; a missing required one ends the program with usage.</summary>
internal sealed class SampleArgs(string[] args, string usage)
{
    public string? Get(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public string Get(string name, string fallback) => Get(name) ?? fallback;

    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string Required(string name) => Get(name) ?? throw new ArgumentException($"missing option {name}; usage: {usage}");
}
