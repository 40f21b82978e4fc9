using System.CommandLine;
using MLNetClip.Cli;

var root = new RootCommand("mlnetclip: pretrain and use CLIP-family models from .NET");
root.Subcommands.Add(SelfCheckCommand.Create());
root.Subcommands.Add(CheckHfParityCommand.Create());
root.Subcommands.Add(TokenizeCommand.Create());
root.Subcommands.Add(DataCommand.Create());
return await root.Parse(args).InvokeAsync();
