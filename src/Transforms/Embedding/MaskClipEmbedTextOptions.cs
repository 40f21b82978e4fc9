using MLNetClip.Evaluation.Embedding;

namespace MLNetClip.Transforms.Embedding;

/// <summary>Options of <c>mlContext.Transforms.MaskClipEmbedText</c>: text column in, embedding vector out.</summary>
public sealed class MaskClipEmbedTextOptions
{
    /// <summary>The embedding column written. Default "TextFeatures".</summary>
    public string OutputColumnName { get; set; } = "TextFeatures";

    /// <summary>The text column read. Default "Text".</summary>
    public string InputColumnName { get; set; } = "Text";

    /// <summary>The CLIP model (from <c>EvaluationModel.Load</c>); required. The transform does not dispose it.</summary>
    public EvaluationModel? Model { get; set; }

    /// <summary>Divide each vector by its L2 norm. Default true.</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Texts per forward pass, 1 to 65536. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    internal void Validate()
    {
        OptionCheck.Require(!string.IsNullOrEmpty(OutputColumnName), nameof(OutputColumnName), "a column name");
        OptionCheck.Require(!string.IsNullOrEmpty(InputColumnName), nameof(InputColumnName), "a column name");
        OptionCheck.Require(Model is not null, nameof(Model), "a loaded model (EvaluationModel.Load)");
        OptionCheck.Require(BatchSize is >= 1 and <= 65536, nameof(BatchSize), "1 to 65536", BatchSize);
    }
}
