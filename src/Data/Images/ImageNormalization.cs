namespace MLNetClip.Data.Images;

/// <summary>Per-channel mean and standard deviation applied after scaling pixels to [0, 1].</summary>
public sealed class ImageNormalization
{
    public ImageNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (mean is not { Count: 3 }) throw new ArgumentException("mean needs 3 values (R, G, B)", nameof(mean));
        if (std is not { Count: 3 }) throw new ArgumentException("std needs 3 values (R, G, B)", nameof(std));
        for (var c = 0; c < 3; c++)
        {
            if (!float.IsFinite(mean[c])) throw new ArgumentOutOfRangeException(nameof(mean), $"mean[{c}] is not finite");
            if (!(std[c] > 0) || !float.IsFinite(std[c])) throw new ArgumentOutOfRangeException(nameof(std), $"std[{c}] must be positive");
        }
        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    /// <summary>OpenAI CLIP's statistics, used by open_clip for its CLIP models.</summary>
    public static ImageNormalization Clip { get; } =
        new([0.48145466f, 0.4578275f, 0.40821073f], [0.26862954f, 0.26130258f, 0.27577711f]);

    public static ImageNormalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    public IReadOnlyList<float> Mean { get; }

    public IReadOnlyList<float> Std { get; }

    // The float[6] layout of mlc_image.h: means then standard deviations.
    internal void WriteNative(Span<float> raw)
    {
        for (var c = 0; c < 3; c++)
        {
            raw[c] = Mean[c];
            raw[3 + c] = Std[c];
        }
    }
}
