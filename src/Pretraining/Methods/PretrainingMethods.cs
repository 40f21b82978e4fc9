using MLNetClip.Models;
using MLNetClip.Pretraining.Methods.Distill;
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
        [MaskDistillMethod.MethodName] = (model, o) => new MaskDistillMethod(model, o.Distill, Teacher(MaskDistillMethod.MethodName, o)),
        [MilanMethod.MethodName] = (model, o) => new MilanMethod(model, o.Distill, Teacher(MilanMethod.MethodName, o)),
        [MaskAlignMethod.MethodName] = (model, o) => new MaskAlignMethod(model, o.Distill, Teacher(MaskAlignMethod.MethodName, o)),
        [VqkdMethod.MethodName] = (model, o) => new VqkdMethod(model, o.Distill, Teacher(VqkdMethod.MethodName, o)),
        [BeitV2Method.MethodName] = (model, o) => new BeitV2Method(model, o.Distill, VqkdTokenizer.Load(o.Distill.RequireTokenizer())),
    };

    /// <summary>Methods whose loader makes A-CLIP's covering views (two online crops and a cover) for every image.</summary>
    public static bool NeedsCoveringViews(string name) => name is AClipMethod.MethodName or AClipEfficientMethod.MethodName;

    private static ClipTeacher Teacher(string method, PretrainOptions options)
    {
        options.Distill.Validate();
        return ClipTeacher.Load(options.Distill.RequireTeacher(method));
    }

    /// <summary>The names <c>pretrain --method</c> accepts.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Wraps <paramref name="model"/> in the named method; the method owns the model afterwards.</summary>
    public static PretrainingMethod Create(string name, Clip model, PretrainOptions options) =>
        Factories.TryGetValue(name, out var create)
            ? create(model, options)
            : throw new ArgumentException($"unknown method '{name}'; expected one of {string.Join(", ", Names)}", nameof(name));
}
