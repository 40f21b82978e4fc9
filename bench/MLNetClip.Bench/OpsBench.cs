namespace MLNetClip.Bench;

internal static class OpsBench
{
    public static int Run(string[] args)
    {
        Console.WriteLine("ops: not written yet");
        return 0;
    }
}
