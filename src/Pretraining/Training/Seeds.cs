namespace MLNetClip.Pretraining.Training;

/// <summary>
/// The run's random streams, each derived from the seed: model initialisation, the method's masks,
/// and the global generator re-seeded before every step from (seed, step), so whatever draws
/// from it mid-step (dropout, say) repeats exactly after a resume without its state being saved.
/// The loader seeds itself per (seed, epoch, sample).
/// </summary>
internal static class Seeds
{
    public static ulong Initialisation(int seed) => Mix((ulong)(uint)seed, 1);

    public static ulong Masks(int seed) => Mix((ulong)(uint)seed, 2);

    public static ulong Step(int seed, long step) => Mix(Mix((ulong)(uint)seed, 3), (ulong)step);

    // SplitMix64's finaliser over the two words: nearby inputs give unrelated seeds.
    private static ulong Mix(ulong a, ulong b)
    {
        var z = a * 0x9E3779B97F4A7C15UL + b + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
