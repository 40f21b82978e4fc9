using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace MLNetClip.Cli;

/// <summary>
/// The command tree, built in one place so tests can run commands in-process, and the single
/// error handler every command runs under: failures become one line on stderr and an exit code
/// from <see cref="ExitCodes"/> (see <see cref="CliErrors"/>); --verbose adds the stack trace.
/// </summary>
internal static class CliApp
{
    public const string VerboseOption = "--verbose";

    public static RootCommand Build()
    {
        var root = new RootCommand("mlnetclip: pretrain and use CLIP-family models from .NET");
        root.Options.Add(new Option<bool>(VerboseOption) { Description = "on failure, print the whole exception with its stack trace", Recursive = true });
        root.Subcommands.Add(SelfCheckCommand.Create());
        root.Subcommands.Add(CheckHfParityCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(HeatmapCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(LaunchCommand.Create());
        root.Subcommands.Add(DistCheckCommand.Create());
        return root;
    }

    /// <summary>The process entry: a command that takes a cancellation token is asked to stop on the first Ctrl+C or SIGTERM.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Action is not AsynchronousCommandLineAction) return await InvokeAsync(parse, CancellationToken.None);
        using var stop = StopSignal.Listen();
        return await InvokeAsync(parse, stop.Token);
    }

    /// <summary>Runs <paramref name="args"/> against <paramref name="root"/> under the error handler, without listening for signals.</summary>
    public static Task<int> RunAsync(RootCommand root, string[] args, CancellationToken cancel = default) =>
        InvokeAsync(root.Parse(args), cancel);

    private static async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancel)
    {
        var usageHint = $"see '{CommandPath(parse)} --help'";
        if (parse.Action is ParseErrorAction)
        {
            CliErrors.Write(new CliError(ExitCodes.Usage, string.Join("; ", parse.Errors.Select(e => e.Message)), usageHint), Console.Error);
            return ExitCodes.Usage;
        }

        var verbose = parse.GetValue<bool>(VerboseOption);
        // Signals are StopSignal's job, exceptions CliErrors': System.CommandLine's own handling of both is off.
        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            return await parse.InvokeAsync(invocation, cancel);
        }
        catch (Exception e)
        {
            return CliErrors.Report(e, verbose, Console.Error, usageHint);
        }
    }

    /// <summary>"mlnetclip data emoji" for the command that was parsed.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r.Parent is CommandResult parent; r = parent)
            names.Insert(0, r.Command.Name);
        return string.Join(' ', ["mlnetclip", .. names]);
    }
}
