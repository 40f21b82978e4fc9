namespace MLNetClip.Cli.Tests.Distributed;

/// <summary>`mlnetclip launch …` as a child process, on loopback, with no torchrun variables inherited.</summary>
internal static class Launcher
{
    public static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "mlnetclip.dll");

    private static readonly Dictionary<string, string?> Clean = new()
    {
        ["RANK"] = null, ["WORLD_SIZE"] = null, ["LOCAL_RANK"] = null, ["MASTER_ADDR"] = null, ["MASTER_PORT"] = null,
        ["GLOO_SOCKET_IFNAME"] = null,
    };

    public static (int Exit, string Out, string Err) Run(string workingDirectory, params string[] args) =>
        CliRunner.RunChild(Tool, workingDirectory, Clean, args);

    /// <summary>The lines a rank printed, without the launcher's "[rank R] " prefix.</summary>
    public static List<string> Lines(string output, int rank) =>
        output.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith($"[rank {rank}] ", StringComparison.Ordinal))
            .Select(l => l[$"[rank {rank}] ".Length..]).ToList();
}
