using MLNetClip.Torch.Distributed;

namespace MLNetClip.Torch.Tests;

/// <summary>The torchrun variables: read as torchrun sets them, and a malformed one named with its range.</summary>
public class DistributedEnvironmentTests
{
    private static Func<string, string?> Vars(params (string Key, string Value)[] vars) =>
        key => vars.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Torchrun_variables_describe_the_rank()
    {
        var env = DistributedEnvironment.From(Vars(("RANK", "3"), ("WORLD_SIZE", "4"), ("LOCAL_RANK", "1"), ("MASTER_ADDR", "node0"), ("MASTER_PORT", "29511")));
        Assert.Equal(new DistributedEnvironment(3, 4, 1, "node0", 29511), env);
        Assert.True(env.IsDistributed);
        Assert.False(env.IsMain);
        Assert.Equal("", env.GlooBind(Vars()));                                  // another machine: this host's name
        Assert.Equal("if:eth1", env.GlooBind(Vars(("GLOO_SOCKET_IFNAME", "eth1"))));
    }

    [Fact]
    public void No_world_size_or_a_world_of_one_is_a_single_process()
    {
        Assert.False(DistributedEnvironment.From(Vars()).IsDistributed);
        Assert.False(DistributedEnvironment.From(Vars(("WORLD_SIZE", "1"), ("RANK", "0"))).IsDistributed);
    }

    [Fact]
    public void Defaults_are_torchruns_and_loopback_binds_gloo_to_loopback()
    {
        var env = DistributedEnvironment.From(Vars(("RANK", "1"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "127.0.0.1")));
        Assert.Equal(1, env.LocalRank);                                           // LOCAL_RANK defaults to RANK
        Assert.Equal(DistributedEnvironment.DefaultPort, env.MasterPort);
        Assert.Equal("127.0.0.1", env.GlooBind(Vars()));
    }

    [Theory]
    [InlineData("RANK", "2", "RANK='2' is invalid: expected an integer in 0..1")]
    [InlineData("RANK", "x", "RANK='x' is invalid")]
    [InlineData("MASTER_PORT", "70000", "MASTER_PORT='70000' is invalid: expected an integer in 1..65535")]
    [InlineData("MASTER_ADDR", "", "MASTER_ADDR is not set")]
    public void A_bad_variable_is_named_with_its_range(string key, string value, string message)
    {
        var vars = new Dictionary<string, string> { ["RANK"] = "0", ["WORLD_SIZE"] = "2", ["MASTER_ADDR"] = "h", [key] = value };
        var e = Assert.Throws<ArgumentException>(() => DistributedEnvironment.From(k => vars.GetValueOrDefault(k)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_collective_on_a_single_process_group_needs_no_peer()
    {
        // A world of one is a real group (its own store on a free port): every collective is the identity.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var group = ProcessGroup.Create("127.0.0.1", port, 0, 1, TimeSpan.FromSeconds(30), glooBind: "127.0.0.1");
        using var scope = DisposeScope.Begin();
        var t = Tensor.FromArray(new[] { 1.5f, -2f });
        group.AllReduce(t, ReduceOp.Sum, scale: 0.5);
        Assert.Equal([0.75f, -1f], t.ToArray<float>());
        Assert.Equal([1.5f, -2f, 3f], group.AllGather(Tensor.FromArray(new[] { 1.5f, -2f, 3f })).ToArray<float>());
        group.Barrier();
        var e = Assert.Throws<TorchException>(() => group.Broadcast(t, root: 1));
        Assert.Contains("broadcast root must be in 0..0", e.Message);
    }
}
