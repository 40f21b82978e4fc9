using System.Reflection;

namespace MLNetClip.Evaluation.ZeroShot;

/// <summary>
/// Prompt templates for zero-shot classifiers: <c>{}</c> marks where the class name goes
/// ("a photo of a {}."). Two lists ship inside this assembly: <see cref="OpenAi"/> (the 80 ImageNet
/// templates of OpenAI's CLIP evaluation) and <see cref="Simple"/> (a 7-template subset of it);
/// any other list is read from a file in the same format: one template per line, blank lines skipped.
/// </summary>
public static class PromptTemplates
{
    /// <summary>The placeholder each template holds exactly once.</summary>
    public const string Placeholder = "{}";

    public const string OpenAiName = "openai";
    public const string SimpleName = "simple";

    private static readonly Lazy<IReadOnlyList<string>> OpenAiList = new(() => Embedded("openai_imagenet_templates.txt"));
    private static readonly Lazy<IReadOnlyList<string>> SimpleList = new(() => Embedded("simple_templates.txt"));

    /// <summary>The 80 templates OpenAI used for CLIP's ImageNet zero-shot evaluation.</summary>
    public static IReadOnlyList<string> OpenAi => OpenAiList.Value;

    /// <summary>Seven of those, for a fast evaluation.</summary>
    public static IReadOnlyList<string> Simple => SimpleList.Value;

    /// <summary><c>openai</c>, <c>simple</c>, or the path of a template file.</summary>
    public static IReadOnlyList<string> Load(string nameOrPath) => nameOrPath switch
    {
        OpenAiName => OpenAi,
        SimpleName => Simple,
        _ when File.Exists(nameOrPath) => Parse(File.ReadAllText(nameOrPath), nameOrPath),
        _ => throw new FileNotFoundException(
            $"templates '{nameOrPath}': expected '{OpenAiName}', '{SimpleName}' or an existing file with one template per line", nameOrPath),
    };

    /// <summary>Fills a template with a class name.</summary>
    public static string Fill(string template, string className) => template.Replace(Placeholder, className, StringComparison.Ordinal);

    /// <summary>Reads a template list; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<string> Parse(string text, string source)
    {
        var templates = new List<string>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var at = line.IndexOf(Placeholder, StringComparison.Ordinal);
            if (at < 0 || line.IndexOf(Placeholder, at + 1, StringComparison.Ordinal) >= 0)
                throw new InvalidDataException($"{source}:{i + 1}: a template must hold '{Placeholder}' exactly once; got '{line}'");
            templates.Add(line);
        }
        if (templates.Count == 0) throw new InvalidDataException($"{source}: no templates (one per line, each holding '{Placeholder}')");
        return templates;
    }

    private static IReadOnlyList<string> Embedded(string file)
    {
        var name = $"MLNetClip.Evaluation.Resources.{file}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"the assembly lacks its resource {name}");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), name);
    }
}
