using System.CommandLine;
using System.Text.Json.Nodes;
using MLNetClip.Torch;
using MLNetClip.Torch.Distributed;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip distcheck`: joins the process group of the environment (run it under `launch`, torchrun
/// or Slurm) and runs every collective once on small tensors whose results are known in closed form:
/// a quick check that a multi-machine set-up can rendezvous and communicate. Each rank prints one
/// line, "distcheck rank R/W {json}", with the values it received, and fails if any differs from the
/// closed form. --stall-rank makes one rank sleep before the final barrier, to see the timeout fire.
/// </summary>
internal static class DistCheckCommand
{
    public static Command Create()
    {
        var timeout = new Option<double>("--timeout") { Description = "seconds each collective may wait (default 60)", DefaultValueFactory = _ => 60 };
        var stallRank = new Option<int?>("--stall-rank") { Description = "this rank sleeps --stall-seconds before the last barrier" };
        var stallSeconds = new Option<double>("--stall-seconds") { Description = "how long --stall-rank sleeps (default 30)", DefaultValueFactory = _ => 30 };
        var command = new Command("distcheck", "Check the process group of RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT with every collective")
        {
            timeout, stallRank, stallSeconds,
        };
        command.SetAction(parse =>
        {
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0)) throw new CliException($"--timeout must be above 0 seconds; got {seconds}", ExitCodes.Usage);
            using var group = DistributedGroup.Join("cpu", TimeSpan.FromSeconds(seconds))
                ?? throw new CliException("distcheck needs WORLD_SIZE > 1 (run it under `mlnetclip launch --nproc N -- distcheck`)", ExitCodes.Usage);
            var results = Run(group);
            Console.WriteLine($"distcheck rank {group.Rank}/{group.WorldSize} {ToJson(results)}");
            Console.Out.Flush();
            if (parse.GetValue(stallRank) == group.Rank) Thread.Sleep(TimeSpan.FromSeconds(parse.GetValue(stallSeconds)));
            group.Barrier();
            Console.WriteLine($"distcheck rank {group.Rank}/{group.WorldSize} barrier passed");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Each collective's result on this rank, by name (flattened values).</summary>
    public static Dictionary<string, double[]> Run(ProcessGroup group)
    {
        using var scope = DisposeScope.Begin();
        double r = group.Rank;
        var results = new Dictionary<string, double[]>();

        var sum = Tensor.FromArray(new[] { r + 1, 2 * (r + 1) });
        group.AllReduce(sum);
        results["allReduceSum"] = sum.ToArray<double>();
        var max = Tensor.FromArray(new[] { r, -r });
        group.AllReduce(max, ReduceOp.Max);
        results["allReduceMax"] = max.ToArray<double>();
        var min = Tensor.FromArray(new[] { r, -r });
        group.AllReduce(min, ReduceOp.Min);
        results["allReduceMin"] = min.ToArray<double>();
        var product = Tensor.FromArray(new[] { r + 1 });
        group.AllReduce(product, ReduceOp.Product);
        results["allReduceProduct"] = product.ToArray<double>();
        var mean = Tensor.FromArray(new[] { (float)r });
        group.AllReduce(mean, ReduceOp.Sum, scale: 1.0 / group.WorldSize);
        results["allReduceMean"] = mean.ToArray<float>().Select(v => (double)v).ToArray();

        // Mixed dtypes and shapes, in 16-byte buckets: several collectives, results split back.
        var a = Tensor.FromArray(new[] { (float)r, 1f, 2f, 3f, 4f, 5f }, 2, 3);
        var b = Tensor.FromArray(new[] { (long)r * 10 });
        var c = Tensor.FromArray(new[] { r, r * r });
        group.AllReduce([a, b, c], bucketBytes: 16);
        results["bucketedFloat"] = a.ToArray<float>().Select(v => (double)v).ToArray();
        results["bucketedLong"] = b.ToArray<long>().Select(v => (double)v).ToArray();
        results["bucketedDouble"] = c.ToArray<double>();

        var root = group.WorldSize - 1;
        var broadcast = Tensor.FromArray(new[] { r * 10, r * 10 + 1, r * 10 + 2 });
        group.Broadcast(broadcast, root);
        results["broadcastFromLast"] = broadcast.ToArray<double>();

        var gathered = group.AllGather(Tensor.FromArray(new[] { r, r + 0.5 }, 1, 2));
        results["allGather"] = gathered.ToArray<double>();

        // d/dx of Σ w ⊙ gather(x) with w = 0, 1, 2, … over the gathered rows: every rank contributes w,
        // so this rank's gradient is W times its slice of w.
        var x = Tensor.Full([2, 3], r + 1, ScalarType.Float64).RequiresGrad_();
        var all = group.AllGatherWithGrad(x);
        var w = Tensor.Arange(all.NumberOfElements, ScalarType.Float64, all.Device).View(all.Shape);
        (all * w).Sum().Backward();
        results["gatherWithGradValues"] = all.Detach().ToArray<double>();
        results["gatherWithGradGradient"] = x.Grad!.ToArray<double>();

        ReduceDuringBackward(group, results);
        return results;
    }

    // JsonObject rather than JsonSerializer: the trimmed GPU-route executable has no reflection metadata for it.
    private static string ToJson(Dictionary<string, double[]> results)
    {
        var json = new JsonObject();
        foreach (var (name, values) in results) json[name] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        return json.ToJsonString();
    }

    /// <summary>
    /// The gradient reducer as a training step uses it: two backwards (gradient accumulation), only
    /// the second armed. With 16-byte buckets filled from the end, b and a get a bucket each and are
    /// launched from inside backward; the parameter that gets no gradient is left alone.
    /// </summary>
    private static void ReduceDuringBackward(ProcessGroup group, Dictionary<string, double[]> results)
    {
        double r = group.Rank;
        var unused = Tensor.Zeros([1], ScalarType.Float64).RequiresGrad_();
        var a = Tensor.Ones([2], ScalarType.Float64).RequiresGrad_();
        var b = Tensor.Full([3], r, ScalarType.Float64).RequiresGrad_();
        using var reducer = new GradientReducer(group, [unused, a, b], 1.0 / group.WorldSize, bucketBytes: 16);
        var k = Tensor.FromArray(new[] { 1.0, 2.0 });
        for (var pass = 0; pass < 2; pass++)
        {
            // d/da = (r + 1)·[1, 2], d/db = b = r: twice that after both passes, then the mean over ranks.
            var loss = (a * k).Sum() * (r + 1) + (b * b).Sum() / 2;
            if (pass == 1) reducer.Arm();
            loss.Backward();
        }
        reducer.Finish();
        results["reducerA"] = a.Grad!.ToArray<double>();
        results["reducerB"] = b.Grad!.ToArray<double>();
        results["reducerUnusedHasGrad"] = [unused.Grad is null ? 0 : 1];
        results["reducerBuckets"] = [reducer.Buckets];
        results["reducerLaunchedInBackward"] = [reducer.LaunchedDuringBackward];
    }

}
