using MLNetClip.Cli;

return await CliApp.Build().Parse(args).InvokeAsync();
