using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;

namespace MLNetClip.Cli;

/// <summary>
/// Joins the process group the environment describes (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
/// MASTER_PORT, as torchrun, `mlnetclip launch` or a Slurm script set them), or returns null for
/// a single process. gloo for a CPU run, NCCL for CUDA when the native build has it.
/// </summary>
internal static class DistributedGroup
{
    public static ProcessGroup? Join(string device, TimeSpan timeout)
    {
        DistributedEnvironment env;
        try
        {
            env = DistributedEnvironment.FromEnvironment();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
        if (!env.IsDistributed) return null;
        var cuda = Device.Parse(device).IsCuda;
        if (!ProcessGroup.GlooAvailable)
            throw new CliException("WORLD_SIZE > 1 but this native library was built without process groups (gloo headers missing); " +
                "install libgloo-dev and rebuild with scripts/build-native.sh", ExitCodes.Environment);
        var backend = cuda && ProcessGroup.NcclAvailable ? DistributedBackend.Nccl : DistributedBackend.Gloo;
        if (cuda && backend == DistributedBackend.Gloo)
            throw new CliException("a CUDA run across processes needs NCCL, which this native build lacks (its libtorch has none); use --device cpu", ExitCodes.Environment);
        return ProcessGroup.Create(env.MasterAddress, env.MasterPort, env.Rank, env.WorldSize, timeout, backend, env.GlooBind());
    }

    /// <summary>How long a failing rank waits for the living ranks to answer its roll call before naming who did not.</summary>
    internal static readonly TimeSpan RollCallWait = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A failed collective as one line that says which rank stopped and who it was waiting for. With
    /// two ranks the peer is the other one. With more, a roll call in the rendezvous store, answered
    /// by a background thread on every living rank (a survivor's main thread may itself be stuck in
    /// a transfer); the ranks that do not answer are named. When the store itself is gone, rank 0,
    /// its host, is the one that stopped.
    /// </summary>
    public static Exception Failure(ProcessGroup group, TorchException e)
    {
        var peer = group.WorldSize == 2 ? $"rank {1 - group.Rank} stopped or is unreachable" : RollCall(group);
        return new CliException($"rank {group.Rank} of {group.WorldSize} stops: {peer}. {e.Message}", ExitCodes.Torch);
    }

    private static string RollCall(ProcessGroup group)
    {
        var silent = group.SilentRanks(RollCallWait);
        if (silent is null)
            return group.Rank == 0 ? "a peer rank stopped or is unreachable" : "rank 0 stopped or is unreachable (the rendezvous store it hosts is gone)";
        if (silent.Count == 0) return "every rank answered a roll call, so a peer is stuck or slower than the timeout";
        var names = silent.Count == 1 ? $"rank {silent[0]}" : $"ranks {string.Join(", ", silent)}";
        return $"{names} stopped or {(silent.Count == 1 ? "is" : "are")} unreachable (no answer to a roll call in the rendezvous store)";
    }

    /// <summary>The CUDA device of this rank on its machine: cuda:LOCAL_RANK when the run asked for plain "cuda".</summary>
    public static string DeviceFor(string device)
    {
        if (device != "cuda") return device;
        var env = DistributedEnvironment.FromEnvironment();
        return env.IsDistributed ? $"cuda:{env.LocalRank}" : device;
    }
}
