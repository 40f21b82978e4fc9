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

    /// <summary>
    /// A failed collective as one line that says which rank stopped and who it was waiting for: with
    /// two ranks the peer is the other one; with more, gloo's message names the peer's address.
    /// </summary>
    public static Exception Failure(ProcessGroup group, TorchException e)
    {
        var peer = group.WorldSize == 2 ? $"rank {1 - group.Rank} stopped or is unreachable" : "a peer rank stopped or is unreachable";
        return new CliException($"rank {group.Rank} of {group.WorldSize} stops: {peer}. {e.Message}", ExitCodes.Torch);
    }

    /// <summary>The CUDA device of this rank on its machine: cuda:LOCAL_RANK when the run asked for plain "cuda".</summary>
    public static string DeviceFor(string device)
    {
        if (device != "cuda") return device;
        var env = DistributedEnvironment.FromEnvironment();
        return env.IsDistributed ? $"cuda:{env.LocalRank}" : device;
    }
}
