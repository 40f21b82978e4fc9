using System.CommandLine;

namespace MLNetClip.Cli;

/// <summary>The command tree, built in one place so tests can run commands in-process.</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("mlnetclip: pretrain and use CLIP-family models from .NET");
        root.Subcommands.Add(SelfCheckCommand.Create());
        root.Subcommands.Add(CheckHfParityCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(DataCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        return root;
    }
}
