using MLNetClip.Models;
using MLNetClip.Pretraining.Training;

namespace MLNetClip.Pretraining.Methods;

/// <summary>Every pretraining method by its command-line name.</summary>
public static class PretrainingMethods
{
    private static readonly Dictionary<string, Func<Clip, PretrainOptions, PretrainingMethod>> Factories = new()
    {
        [ClipMethod.MethodName] = (model, _) => new ClipMethod(model),
        [MaskClipMethod.MethodName] = (model, options) => new MaskClipMethod(model, options.MaskClip),
        [MaskClipEfficientMethod.MethodName] = (model, options) => new MaskClipEfficientMethod(model, options.MaskClip),
        [AClipMethod.MethodName] = (model, options) => new AClipMethod(model, options.AClip),
        [AClipEfficientMethod.MethodName] = (model, options) => new AClipEfficientMethod(model, options.AClip),
        [FlipMethod.MethodName] = (model, options) => new FlipMethod(model, options.Flip),
    };

    /// <summary>Methods whose loader makes A-CLIP's covering views (two online crops and a cover) for every image.</summary>
    public static bool NeedsCoveringViews(string name) => name is AClipMethod.MethodName or AClipEfficientMethod.MethodName;

    /// <summary>The names <c>pretrain --method</c> accepts.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Wraps <paramref name="model"/> in the named method; the method owns the model afterwards.</summary>
    public static PretrainingMethod Create(string name, Clip model, PretrainOptions options) =>
        Factories.TryGetValue(name, out var create)
            ? create(model, options)
            : throw new ArgumentException($"unknown method '{name}'; expected one of {string.Join(", ", Names)}", nameof(name));
}
