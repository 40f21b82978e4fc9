using MLNetClip.Cli;

return await CliApp.RunAsync(args);
