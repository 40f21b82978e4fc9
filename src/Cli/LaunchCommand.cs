using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip launch --nproc N -- COMMAND …`: starts N copies of this tool on this machine, each
/// with the torchrun variables set (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR,
/// MASTER_PORT), and streams their output line by line with a "[rank R]" prefix. With --nnodes
/// and --node-rank the same command on each machine forms one group (rank = node·N + local).
/// When a worker fails the launcher names it and gives the others --grace seconds to stop on their
/// own (their collectives fail within the run's timeout), then ends them; SIGINT/SIGTERM are passed on.
/// Exit code: the first failing worker's, else 0.
/// </summary>
internal static class LaunchCommand
{
    public static Command Create()
    {
        var nproc = new Option<int>("--nproc") { Description = "workers to start on this machine", Required = true };
        var nnodes = new Option<int>("--nnodes") { Description = "machines in the run (default 1)", DefaultValueFactory = _ => 1 };
        var nodeRank = new Option<int>("--node-rank") { Description = "this machine's index, 0 to nnodes-1 (default 0)", DefaultValueFactory = _ => 0 };
        var address = new Option<string>("--master-addr") { Description = "host of rank 0 (default 127.0.0.1)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--master-port") { Description = "rank 0's rendezvous port (default: a free one on a single machine, else 29500)" };
        var grace = new Option<double>("--grace") { Description = "seconds the others may take to stop after a worker fails (default 90)", DefaultValueFactory = _ => 90 };
        var worker = new Argument<string[]>("command") { Description = "the mlnetclip command each worker runs, after --", Arity = ArgumentArity.OneOrMore };
        var command = new Command("launch", "Start N data-parallel workers of an mlnetclip command (pretrain, embed, distcheck) with rank-prefixed output")
        {
            nproc, nnodes, nodeRank, address, port, grace, worker,
        };
        command.SetAction(async (parse, cancel) =>
        {
            var n = parse.GetValue(nproc);
            var nodes = parse.GetValue(nnodes);
            var node = parse.GetValue(nodeRank);
            if (n is < 1 or > 1024) throw new CliException($"--nproc must be 1 to 1024; got {n}", ExitCodes.Usage);
            if (nodes < 1) throw new CliException($"--nnodes must be 1 or more; got {nodes}", ExitCodes.Usage);
            if (node < 0 || node >= nodes) throw new CliException($"--node-rank must be 0 to {nodes - 1}; got {node}", ExitCodes.Usage);
            var args = parse.GetValue(worker)!;
            if (args[0] == "launch") throw new CliException("launch cannot launch itself", ExitCodes.Usage);
            var p = parse.GetValue(port) ?? (nodes == 1 ? FreePort() : 29500);
            var env = new WorkerEnvironment(parse.GetValue(address)!, p, n, nodes, node);
            return await new WorkerGroup(env, args, TimeSpan.FromSeconds(parse.GetValue(grace))).RunAsync(cancel);
        });
        return command;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The torchrun variables of each local worker.</summary>
internal sealed record WorkerEnvironment(string MasterAddress, int MasterPort, int PerNode, int Nodes, int NodeRank)
{
    public int WorldSize => PerNode * Nodes;

    public Dictionary<string, string> For(int local) => new()
    {
        ["RANK"] = (NodeRank * PerNode + local).ToString(CultureInfo.InvariantCulture),
        ["LOCAL_RANK"] = local.ToString(CultureInfo.InvariantCulture),
        ["WORLD_SIZE"] = WorldSize.ToString(CultureInfo.InvariantCulture),
        ["LOCAL_WORLD_SIZE"] = PerNode.ToString(CultureInfo.InvariantCulture),
        ["MASTER_ADDR"] = MasterAddress,
        ["MASTER_PORT"] = MasterPort.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>The running workers: started together, their lines relayed, a failure passed on to the rest.</summary>
internal sealed class WorkerGroup(WorkerEnvironment env, string[] args, TimeSpan grace)
{
    private readonly object _write = new();

    public async Task<int> RunAsync(CancellationToken cancel)
    {
        var workers = new List<(int Rank, Process Process)>();
        try
        {
            for (var local = 0; local < env.PerNode; local++)
            {
                var vars = env.For(local);
                var rank = int.Parse(vars["RANK"], CultureInfo.InvariantCulture);
                var process = Start(vars, rank);
                workers.Add((rank, process));
                Say($"launch: rank {rank} pid {process.Id}");
            }
            using var forward = cancel.Register(() => Signal(workers, 15));
            var pending = workers.Select(w => w.Process.WaitForExitAsync()).ToList();
            var firstFailure = (Rank: -1, Code: 0);
            var deadline = (DateTime?)null;
            while (pending.Count > 0)
            {
                var wait = deadline is { } d ? Math.Max(0, (int)(d - DateTime.UtcNow).TotalMilliseconds) : Timeout.Infinite;
                var finished = await Task.WhenAny(Task.WhenAny(pending), Task.Delay(wait, CancellationToken.None));
                if (finished is not Task<Task> { Result: var done })
                {
                    foreach (var (rank, p) in workers.Where(w => !w.Process.HasExited))
                    {
                        Say($"launch: rank {rank} did not stop within {grace.TotalSeconds:0} s of rank {firstFailure.Rank}'s failure; killing it");
                        p.Kill(entireProcessTree: true);
                    }
                    deadline = DateTime.UtcNow.AddSeconds(10);
                    continue;
                }
                pending.Remove(done);
                foreach (var (rank, p) in workers.Where(w => w.Process.HasExited && w.Process.WaitForExit(0)))
                {
                    if (p.ExitCode == 0 || firstFailure.Rank >= 0 && rank == firstFailure.Rank) continue;
                    if (firstFailure.Rank < 0)
                    {
                        firstFailure = (rank, p.ExitCode);
                        Say($"launch: rank {rank} (pid {p.Id}) failed with {Describe(p.ExitCode)}; the other ranks stop when their next collective fails");
                        deadline = DateTime.UtcNow + grace;
                    }
                }
            }
            // Let the relays drain the last lines.
            foreach (var (_, p) in workers) p.WaitForExit();
            return firstFailure.Rank >= 0 ? firstFailure.Code : 0;
        }
        finally
        {
            foreach (var (_, p) in workers)
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.Dispose();
            }
        }
    }

    private Process Start(Dictionary<string, string> vars, int rank)
    {
        var (file, prefix) = Self();
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Concat(args)) info.ArgumentList.Add(a);
        foreach (var (k, v) in vars) info.Environment[k] = v;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Relay(Console.Out, rank, e.Data);
        process.ErrorDataReceived += (_, e) => Relay(Console.Error, rank, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>This tool again: the apphost itself, or `dotnet mlnetclip.dll`.</summary>
    private static (string File, string[] Prefix) Self()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(host) != "dotnet") return (host, []);
        var dll = Path.Combine(AppContext.BaseDirectory, "mlnetclip.dll");
        return (host, [dll]);
    }

    private void Relay(TextWriter to, int rank, string? line)
    {
        if (line is null) return;
        lock (_write)
        {
            to.WriteLine($"[rank {rank}] {line}");
            to.Flush();
        }
    }

    private void Say(string line)
    {
        lock (_write)
        {
            Console.Error.WriteLine(line);
            Console.Error.Flush();
        }
    }

    private static string Describe(int code) =>
        code > 128 && code < 160 ? $"exit code {code} (signal {code - 128}{(code - 128 == 9 ? ", SIGKILL" : "")})" : $"exit code {code}";

    private static void Signal(IEnumerable<(int Rank, Process Process)> workers, int signal)
    {
        foreach (var (_, p) in workers)
            if (!p.HasExited) _ = kill(p.Id, signal);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
