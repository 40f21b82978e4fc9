using MLNetClip.Data.Text;
using MLNetClip.Models;
using MLNetClip.Torch;

namespace MLNetClip.Evaluation.Embedding;

/// <summary>
/// A CLIP model loaded for evaluation, in evaluation mode on its device, with the tokenizer its
/// text tower reads. The folder is a Hugging Face CLIP directory (config.json, model.safetensors):
/// any CLIPModel saved by transformers, or the <c>model/</c> folder of our pretraining output (the
/// run folder itself is accepted too). The tokenizer is the folder's own vocab.json + merges.txt
/// when both are there, else OpenAI's CLIP vocabulary, which every released CLIP model uses.
/// </summary>
public sealed class EvaluationModel : IDisposable
{
    private EvaluationModel(Clip clip, ClipTokenizer tokenizer, string directory, string tokenizerSource)
    {
        Clip = clip;
        Tokenizer = tokenizer;
        Directory = directory;
        TokenizerSource = tokenizerSource;
    }

    public Clip Clip { get; }

    public ClipTokenizer Tokenizer { get; }

    /// <summary>The folder the weights came from.</summary>
    public string Directory { get; }

    /// <summary>Where the tokenizer came from, in words.</summary>
    public string TokenizerSource { get; }

    public Device Device => Clip.LogitScale.Device;

    /// <summary>Image side the vision tower was trained at; evaluation images are resized and centre-cropped to it.</summary>
    public int ImageSize => Clip.Options.Vision.ImageSize;

    public static EvaluationModel Load(string directory, Device device)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new DirectoryNotFoundException($"model folder '{directory}' does not exist; give a Hugging Face CLIP folder " +
                $"({HuggingFaceClip.ConfigFile} + {HuggingFaceClip.WeightsFile}) or a pretraining run's model/ folder");
        var nested = Path.Combine(full, "model");
        // A pretraining run folder has a config.json of its own (the run's), so the weights file
        // decides whether this is the model folder or the run around it.
        if (!File.Exists(Path.Combine(full, HuggingFaceClip.WeightsFile)) && File.Exists(Path.Combine(nested, HuggingFaceClip.WeightsFile)))
            full = nested;

        var clip = HuggingFaceClip.Load(full);
        try
        {
            var (tokenizer, source) = LoadTokenizer(full);
            clip.To(device);
            clip.Eval();
            return new EvaluationModel(clip, tokenizer, full, source);
        }
        catch
        {
            clip.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fails, naming the folder, when the tokenizer can produce ids the text tower has no embedding
    /// for (a model trained with another vocabulary), instead of letting libtorch fail on an index.
    /// </summary>
    public void RequireTextVocabulary()
    {
        var modelVocabulary = Clip.Options.Text.VocabSize;
        if (Tokenizer.VocabularySize <= modelVocabulary) return;
        throw new InvalidDataException($"{Directory}: the text tower has {modelVocabulary} token ids but the tokenizer " +
            $"({TokenizerSource}) produces ids up to {Tokenizer.VocabularySize - 1}; put the model's own vocab.json and merges.txt in the folder");
    }

    private static (ClipTokenizer Tokenizer, string Source) LoadTokenizer(string directory)
    {
        var vocab = Path.Combine(directory, "vocab.json");
        var merges = Path.Combine(directory, "merges.txt");
        return File.Exists(vocab) && File.Exists(merges)
            ? (ClipTokenizer.FromHuggingFace(vocab, merges), $"{vocab} + merges.txt")
            : (ClipTokenizer.Default, "OpenAI CLIP BPE");
    }

    public void Dispose() => Clip.Dispose();
}
