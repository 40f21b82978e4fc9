using MLNetClip.Torch;

namespace MLNetClip.Models;

/// <summary>One recomputed tensor against its reference: max |ours − reference|, and |Δ|/|reference| for scalars.</summary>
public sealed record ParityResult(string Name, long[] Shape, double MaxAbsError, double? RelativeError);

/// <summary>
/// Recomputes the outputs, loss and gradients that a reference run of Hugging Face's CLIPModel
/// stored (the layout of the shared fixture's io.safetensors): inputs <c>input_ids</c> and
/// <c>pixel_values</c>; outputs under transformers' names; gradients of the loss as
/// <c>grad.&lt;parameter&gt;</c> under Hugging Face parameter names.
/// </summary>
public static class HfParityCheck
{
    public const string GradPrefix = "grad.";

    private static readonly string[] Inputs = ["input_ids", "pixel_values"];

    /// <summary>Runs forward and backward once; returns one result per reference tensor, in file order.</summary>
    /// <exception cref="InvalidDataException">An input is missing, or a tensor has no meaning here (listed together).</exception>
    public static IReadOnlyList<ParityResult> Run(Clip model, IReadOnlyDictionary<string, Tensor> io, string origin)
    {
        var missing = Inputs.Where(k => !io.ContainsKey(k)).ToList();
        var hfToOurs = model.NamedParameters().ToDictionary(p => HfClipNames.ToHf(p.Key), p => p.Value, StringComparer.Ordinal);
        var unknown = io.Keys.Where(k => !Inputs.Contains(k) && !Outputs.Contains(k)
            && !(k.StartsWith(GradPrefix, StringComparison.Ordinal) && hfToOurs.ContainsKey(k[GradPrefix.Length..]))).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
            throw new InvalidDataException($"{origin}: " + string.Join("; ", new[]
            {
                missing.Count > 0 ? $"missing inputs: {string.Join(", ", missing)}" : null,
                unknown.Count > 0 ? $"tensors with no counterpart here: {string.Join(", ", unknown)}" : null,
            }.Where(s => s is not null)));

        model.Eval();
        model.ZeroGrad();
        using var scope = DisposeScope.Begin();
        // Inputs follow the model, so the same check runs on a GPU; comparisons happen on the CPU.
        var device = model.Parameters().First().Device;
        var ours = Forward(model, io["pixel_values"].To(device), io["input_ids"].To(device));
        ours["loss"].Backward();
        var results = new List<ParityResult>();
        foreach (var (name, reference) in io)
        {
            if (Inputs.Contains(name)) continue;
            var value = name.StartsWith(GradPrefix, StringComparison.Ordinal)
                ? hfToOurs[name[GradPrefix.Length..]].Grad ?? throw new InvalidOperationException($"{name}: the parameter received no gradient")
                : ours[name];
            results.Add(Compare(name, value, reference));
        }
        model.ZeroGrad();
        return results;
    }

    private static readonly string[] Outputs =
    [
        "vision_last_hidden_state", "vision_pooler_output", "text_last_hidden_state", "text_pooler_output",
        "image_embeds", "text_embeds", "logits_per_image", "logits_per_text", "loss",
    ];

    // transformers' CLIPModel outputs, under its names, from our model.
    private static Dictionary<string, Tensor> Forward(Clip model, Tensor pixels, Tensor ids)
    {
        var vision = model.Visual.Encode(pixels);
        var text = model.Text.Encode(ids);
        var imageEmbeds = F.Normalize(vision.Embedding);                                // [B, E]
        var textEmbeds = F.Normalize(text.Embedding);                                   // [B, E]
        var perImage = model.LogitsFromEmbeddings(imageEmbeds, textEmbeds);             // [B, B]
        var loss = new ClipLoss().Forward(imageEmbeds, textEmbeds, model.LogitScaleFactor());
        var result = new Dictionary<string, Tensor>
        {
            ["vision_last_hidden_state"] = vision.LastHiddenState.View(vision.LastHiddenState.Shape),
            ["vision_pooler_output"] = vision.Embedding.View(vision.Embedding.Shape),
            ["text_last_hidden_state"] = text.LastHiddenState.View(text.LastHiddenState.Shape),
            ["text_pooler_output"] = text.Embedding.View(text.Embedding.Shape),
            ["image_embeds"] = imageEmbeds,
            ["text_embeds"] = textEmbeds,
            ["logits_per_image"] = perImage,
            ["logits_per_text"] = perImage.MT,
            ["loss"] = loss.Total.View(loss.Total.Shape),
        };
        // The views above keep the storage alive; the owning objects can go.
        vision.Dispose();
        text.Dispose();
        loss.Dispose();
        return result;
    }

    private static ParityResult Compare(string name, Tensor ours, Tensor reference)
    {
        using var scope = DisposeScope.Begin();
        if (ours.NumberOfElements != reference.NumberOfElements)
            throw new InvalidDataException($"{name}: reference has {reference.NumberOfElements} elements [{string.Join(", ", reference.Shape)}], ours {ours.NumberOfElements} [{string.Join(", ", ours.Shape)}]");
        var a = ours.Detach().To(Device.Cpu, ScalarType.Float64).Reshape(reference.Shape);
        var b = reference.To(ScalarType.Float64);
        var maxAbs = (a - b).Abs().Max().Item();
        double? relative = reference.NumberOfElements == 1 ? Math.Abs(a.Item() - b.Item()) / Math.Max(Math.Abs(b.Item()), double.Epsilon) : null;
        return new ParityResult(name, reference.Shape, maxAbs, relative);
    }
}
