using MLNetClip.Data.Text;
using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.ZeroShot;

/// <summary>
/// Builds the weights of a zero-shot classifier from class names and prompt templates: every
/// class name is put into every template, the prompts are tokenised and embedded by the text tower,
/// each embedding is L2-normalised, the embeddings of one class are averaged over the templates, and
/// the mean is normalised again. Scores for images are then <c>normalise(image) · weightsᵀ</c>.
/// </summary>
public static class ZeroShotClassifier
{
    /// <summary>Prompts embedded per text-tower pass.</summary>
    public const int DefaultBatchSize = 256;

    /// <summary>
    /// Class weights [C, E] on the model's device, outside any dispose scope (the caller owns them).
    /// The text tower runs without gradients, in evaluation mode, with the model's context length.
    /// </summary>
    public static Tensor Build(Clip model, ClipTokenizer tokenizer, IReadOnlyList<string> classNames, IReadOnlyList<string> templates,
        int batchSize = DefaultBatchSize)
    {
        if (classNames.Count == 0) throw new ArgumentException("no class names to build a classifier from");
        if (templates.Count == 0) throw new ArgumentException("no prompt templates");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        var prompts = classNames.SelectMany(name => templates.Select(t => PromptTemplates.Fill(t, name))).ToList();
        var device = model.LogitScale.Device;
        var wasTraining = model.Training;
        model.Eval();
        try
        {
            using var scope = DisposeScope.Begin();
            using var noGrad = GradMode.NoGrad();
            var parts = new List<Tensor>();
            for (var start = 0; start < prompts.Count; start += batchSize)
            {
                var batch = prompts.GetRange(start, Math.Min(batchSize, prompts.Count - start));
                var ids = tokenizer.Tokenize(batch, model.Options.Text.ContextLength).To(device);   // [b, L]
                parts.Add(model.EncodeText(ids, normalize: true));                                 // [b, E]
            }
            var embeddings = Tensor.Cat(parts, 0);                                                   // [C·T, E]
            var perClass = embeddings.View(classNames.Count, templates.Count, -1).Mean(1);         // [C, E]
            return F.Normalize(perClass).DetachFromScope();
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    /// <summary>Cosine scores [N, C] of image embeddings [N, E] against class weights [C, E].</summary>
    public static Tensor Scores(Tensor imageEmbeddings, Tensor classWeights)
    {
        using var scope = DisposeScope.Begin();
        return F.Normalize(imageEmbeddings).MatMul(classWeights.MT).MoveToOuterScope();
    }
}
