using MLNetClip.Evaluation.ZeroShot;

namespace MLNetClip.Evaluation.Tests;

/// <summary>The shipped template lists and the template file format.</summary>
public class PromptTemplateTests
{
    private static string[] SharedLines(string file) =>
        File.ReadAllLines(SharedPaths.Data("clip", file)).Where(l => l.Trim().Length > 0).ToArray();

    [Fact]
    public void ShippedListsEqualTheReferenceFiles()
    {
        Assert.Equal(80, PromptTemplates.OpenAi.Count);
        Assert.Equal(7, PromptTemplates.Simple.Count);
        Assert.Equal(SharedLines("openai_imagenet_templates.txt"), PromptTemplates.OpenAi);
        Assert.Equal(SharedLines("simple_templates.txt"), PromptTemplates.Simple);
        Assert.All(PromptTemplates.Simple, t => Assert.Contains(t, PromptTemplates.OpenAi));
        Assert.Same(PromptTemplates.OpenAi, PromptTemplates.Load("openai"));
        Assert.Same(PromptTemplates.Simple, PromptTemplates.Load("simple"));
        Assert.Equal("a photo of a dog.", PromptTemplates.Fill("a photo of a {}.", "dog"));
    }

    [Fact]
    public void AFileIsReadAndEveryBadLineNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"templates-{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(path, "an emoji of {}\r\n\r\n{} drawn flat\n");
            Assert.Equal(["an emoji of {}", "{} drawn flat"], PromptTemplates.Load(path));
            File.WriteAllText(path, "an emoji of {}\na picture\n");
            Assert.Contains($"{path}:2", Assert.Throws<InvalidDataException>(() => PromptTemplates.Load(path)).Message);
            File.WriteAllText(path, "{} and {}\n");
            Assert.Contains("exactly once", Assert.Throws<InvalidDataException>(() => PromptTemplates.Load(path)).Message);
            File.WriteAllText(path, "\n\n");
            Assert.Contains("no templates", Assert.Throws<InvalidDataException>(() => PromptTemplates.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
        var missing = Assert.Throws<FileNotFoundException>(() => PromptTemplates.Load("imagenet"));
        Assert.Contains("'openai', 'simple'", missing.Message);
    }
}
