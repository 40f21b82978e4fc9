namespace MLNetClip.Data.Loading;

/// <summary>
/// Seeds derived from (seed, epoch, sample). HashCode is randomised per process, so the mixing
/// is spelled out (SplitMix64's finaliser) and the same inputs give the same seeds in every run.
/// </summary>
internal static class SampleSeeds
{
    public static ulong Mix(ulong z)
    {
        z = unchecked(z + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    public static int For(int seed, int epoch, long sample, ulong purpose = 0) =>
        (int)(Mix(Mix(Mix(Mix((uint)seed) ^ (uint)epoch) ^ (ulong)sample) ^ purpose) & 0x7FFFFFFF);

    /// <summary>The generator for one sample's augmentation; independent of which thread draws it.</summary>
    public static Random Augmentation(int seed, int epoch, long sample) => new(For(seed, epoch, sample));

    /// <summary>A generator for an epoch-wide decision (the order, the shard split), one per purpose.</summary>
    public static Random Epoch(int seed, int epoch, ulong purpose) => new(For(seed, epoch, -1, purpose));

    /// <summary>An in-place Fisher–Yates shuffle.</summary>
    public static void Shuffle<T>(T[] items, Random random)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
