namespace MLNetClip.Cli;

/// <summary>
/// An expected failure that a command detects itself ("the output folder holds a different run"):
/// the one-line message, an optional hint on what to do, and the exit code from <see cref="ExitCodes"/>.
/// </summary>
internal sealed class CliException(string message, int exitCode, string? hint = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public string? Hint { get; } = hint;
}
