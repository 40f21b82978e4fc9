namespace MLNetClip.Data.Images;

/// <summary>
/// Per-image generators derived from a batch seed. HashCode is randomised per process, so
/// the mixing is spelled out (SplitMix64's finaliser) to stay identical across runs.
/// </summary>
internal static class ImageSeeds
{
    public static Random For(int seed, int index)
    {
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return new Random((int)(z & 0x7FFFFFFF));
    }
}
