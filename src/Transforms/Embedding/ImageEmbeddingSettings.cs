using MLNetClip.Evaluation.Embedding;

namespace MLNetClip.Transforms.Embedding;

/// <summary>What a fitted image-embedding transform needs besides the model; saved as is in the manifest.</summary>
internal sealed record ImageEmbeddingSettings(string InputColumn, string OutputColumn, ImageFeature Pooling, bool Normalize,
    int BatchSize, int DecodeThreads);

/// <summary>The text-embedding transform's settings; saved as is in the manifest.</summary>
internal sealed record TextEmbeddingSettings(string InputColumn, string OutputColumn, bool Normalize, int BatchSize);
