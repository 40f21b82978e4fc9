using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using MLNetClip.Data.Loading;
using MLNetClip.Models;
using MLNetClip.Pretraining.Training;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Cli;

/// <summary>What the user is told about a failure: one line, an optional hint, and the exit code.</summary>
internal sealed record CliError(int ExitCode, string Message, string? Hint = null);

/// <summary>
/// The one place that turns a failure into what the user sees. Every command's exceptions end
/// here: expected ones (bad arguments, missing or malformed inputs, a missing native library,
/// libtorch errors, Ctrl+C) become one line on stderr and their own exit code; anything else
/// is reported as a bug in one line too. The stack trace is shown only with --verbose.
/// </summary>
internal static class CliErrors
{
    public const string Prefix = "mlnetclip: error: ";
    public const string VerboseHint = "run with --verbose for details";
    private const string NativeLibrary = "libmlnetclip_native.so";
    private const string SetupHint = "run `bash scripts/setup.sh`, or set MLNETCLIP_NATIVE to the library's path";

    /// <summary>Writes the error line (and with <paramref name="verbose"/> the whole exception); returns the exit code.</summary>
    public static int Report(Exception exception, bool verbose, TextWriter stderr, string usageHint = "see --help")
    {
        var error = Classify(exception, usageHint);
        Write(error, stderr);
        if (verbose) stderr.WriteLine(exception);
        return error.ExitCode;
    }

    public static void Write(CliError error, TextWriter stderr) =>
        stderr.WriteLine(Prefix + error.Message + (error.Hint is null ? "" : $" ({error.Hint})"));

    /// <param name="exception">what was thrown.</param>
    /// <param name="usageHint">where to read about the command line, for bad arguments.</param>
    public static CliError Classify(Exception exception, string usageHint = "see --help")
    {
        var e = Unwrap(exception);
        var message = OneLine(e.Message);
        return e switch
        {
            CliException c => new(c.ExitCode, message, c.Hint ?? (c.ExitCode == ExitCodes.Usage ? usageHint : null)),
            OperationCanceledException => new(ExitCodes.Cancelled, "cancelled"),
            DllNotFoundException when e.Message.Contains($"{NativeLibrary} was not found", StringComparison.Ordinal) =>
                new(ExitCodes.Environment, $"the native library {NativeLibrary} is not built", SetupHint),
            // The runtime's message ends with the loader's own reason (a missing libtorch, a truncated file).
            DllNotFoundException => new(ExitCodes.Environment, $"the native library could not be loaded: {LastLine(e.Message)}", SetupHint),
            EntryPointNotFoundException => new(ExitCodes.Environment, $"the native library is older than this build: {message}", SetupHint),
            TorchException => new(ExitCodes.Torch, $"libtorch: {message}"),
            // Not a bug: the run stopped itself after too many non-finite steps, naming the step and the term.
            TrainingDivergedException => new(ExitCodes.CheckFailed, message, "lower the learning rate or check the data"),
            // Options validate themselves with ArgumentException naming the option; library checks on
            // tensors read from a file throw it too, so no --help hint: the message says what is wrong.
            ArgumentException => new(ExitCodes.Usage, message),
            FormatException or InvalidDataException or JsonException or IOException or UnauthorizedAccessException
                or SafeTensorsException or StateDictException or CheckpointMismatchException or SkipRateExceededException
                => new(ExitCodes.BadInput, message),
            // A program we start (npm, rsvg-convert) is not installed: the caller wraps the OS error with the remedy.
            { InnerException: Win32Exception } => new(ExitCodes.Environment, message),
            _ => new(ExitCodes.Internal, $"unexpected {e.GetType().Name}: {message}", VerboseHint),
        };
    }

    /// <summary>The exception that says what went wrong, not the reflection or static-constructor wrapper around it.</summary>
    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TypeInitializationException { InnerException: { } inner }:
                    e = inner;
                    break;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    break;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    break;
                default:
                    return e;
            }
        }
    }

    /// <summary>Multi-line messages (a skip report, a libtorch note) joined so the error stays one line.</summary>
    internal static string OneLine(string text) =>
        string.Join("; ", Lines(text)).Replace(":; ", ": ", StringComparison.Ordinal);

    private static string LastLine(string text) => Lines(text).LastOrDefault() ?? text;

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
}
