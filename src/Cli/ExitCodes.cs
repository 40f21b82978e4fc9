namespace MLNetClip.Cli;

/// <summary>
/// The exit status of every command, one value per class of outcome so scripts can tell a
/// failed check from a typo from a missing library. Documented in the README.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did its job and found nothing wrong.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and its outcome is a failure: a parity check above tolerance, a self-check whose loss did not fall, a training run that diverged.</summary>
    public const int CheckFailed = 1;

    /// <summary>The command line is wrong: unknown option, bad value, an option's allowed range.</summary>
    public const int Usage = 2;

    /// <summary>An input is missing or unusable: file or folder not found, malformed data, a checkpoint that does not fit.</summary>
    public const int BadInput = 3;

    /// <summary>The machine lacks something: the native library is not built or not loadable, a required program is not installed.</summary>
    public const int Environment = 4;

    /// <summary>libtorch refused an operation (out of memory, no CUDA device, a shape mismatch).</summary>
    public const int Torch = 5;

    /// <summary>A failure nobody anticipated: a bug. The one line says so and points at --verbose (sysexits' EX_SOFTWARE).</summary>
    public const int Internal = 70;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
