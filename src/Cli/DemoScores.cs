namespace MLNetClip.Cli;

/// <summary>
/// One column of the demo's table: a model or a baseline, with a number (a share in [0, 1]) for each
/// row it has. Rows it has no number for print as a dash.
/// </summary>
internal sealed class DemoScores(string name)
{
    public const string ConceptI2T1 = "held-out concepts: image→text R@1";
    public const string ConceptI2T5 = "held-out concepts: image→text R@5";
    public const string ConceptT2I1 = "held-out concepts: text→image R@1";
    public const string ConceptT2I5 = "held-out concepts: text→image R@5";
    public const string ZeroShot = "held-out concepts: zero-shot top-1";
    public const string StyleI2T1 = "held-out style: image→text R@1";
    public const string StyleI2T5 = "held-out style: image→text R@5";
    public const string EmojiProbe = "emoji category: linear probe top-1";
    public const string FashionProbe = "Fashion-MNIST: linear probe top-1";

    /// <summary>The rows in the order they print.</summary>
    public static IReadOnlyList<string> Rows { get; } =
        [ConceptI2T1, ConceptI2T5, ConceptT2I1, ConceptT2I5, ZeroShot, StyleI2T1, StyleI2T5, EmojiProbe, FashionProbe];

    public string Name { get; } = name;

    public Dictionary<string, double> Values { get; } = [];

    /// <summary>Training wall-clock seconds and steps, for trained models only.</summary>
    public (double Seconds, long Steps)? Training { get; set; }

    public string Cell(string row) => Values.TryGetValue(row, out var v) ? $"{100 * v:0.0}%" : "–";
}
