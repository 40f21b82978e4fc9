using System.Globalization;

namespace MLNetClip.Torch.Distributed;

/// <summary>
/// Where this process sits in a multi-process run, read from the variables torchrun sets (and
/// `mlnetclip launch`, Slurm scripts or a Kubernetes job can set the same way): RANK, WORLD_SIZE,
/// LOCAL_RANK, MASTER_ADDR, MASTER_PORT. Without WORLD_SIZE (or with WORLD_SIZE=1) the run is a
/// single process and no group is created.
/// </summary>
public sealed record DistributedEnvironment(int Rank, int WorldSize, int LocalRank, string MasterAddress, int MasterPort)
{
    public const int DefaultPort = 29500;

    public static DistributedEnvironment Single { get; } = new(0, 1, 0, "127.0.0.1", DefaultPort);

    public bool IsDistributed => WorldSize > 1;
    public bool IsMain => Rank == 0;

    /// <summary>Reads the process environment; a malformed variable fails naming it and the expected range.</summary>
    public static DistributedEnvironment FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static DistributedEnvironment From(Func<string, string?> get)
    {
        var worldText = get("WORLD_SIZE");
        if (string.IsNullOrWhiteSpace(worldText)) return Single;
        var world = Parse(get, "WORLD_SIZE", 1, 1 << 20, null);
        if (world == 1) return Single;
        var rank = Parse(get, "RANK", 0, world - 1, null);
        var localRank = Parse(get, "LOCAL_RANK", 0, world - 1, rank);
        var address = get("MASTER_ADDR");
        if (string.IsNullOrWhiteSpace(address))
            throw new ArgumentException("MASTER_ADDR is not set: a distributed run (WORLD_SIZE > 1) needs rank 0's host name or address");
        var port = Parse(get, "MASTER_PORT", 1, 65535, DefaultPort);
        return new DistributedEnvironment(rank, world, localRank, address.Trim(), port);
    }

    /// <summary>
    /// What gloo binds to: GLOO_SOCKET_IFNAME (as torch.distributed reads it) names an interface;
    /// a loopback master means every rank is on this machine; otherwise this host's name.
    /// </summary>
    public string GlooBind(Func<string, string?>? get = null)
    {
        get ??= Environment.GetEnvironmentVariable;
        var iface = get("GLOO_SOCKET_IFNAME");
        if (!string.IsNullOrWhiteSpace(iface)) return "if:" + iface.Trim();
        return MasterAddress is "localhost" || MasterAddress.StartsWith("127.", StringComparison.Ordinal) ? "127.0.0.1" : "";
    }

    private static int Parse(Func<string, string?> get, string name, int min, int max, int? fallback)
    {
        var text = get(name);
        if (string.IsNullOrWhiteSpace(text))
            return fallback ?? throw new ArgumentException($"{name} is not set: a distributed run (WORLD_SIZE > 1) needs it ({min}..{max})");
        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new ArgumentException($"{name}='{text}' is invalid: expected an integer in {min}..{max}");
        return v;
    }
}
