using MLNetClip.Bench;

// Each benchmark prints its own timings beside a reference measured in the same run, as a ratio.
var benches = new Dictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["ops"] = OpsBench.Run,
    ["block"] = BlockBench.Run,
    ["decode"] = DecodeBench.Run,
    ["loader"] = LoaderBench.Run,
    ["train"] = TrainBench.Run,
    ["mlnet"] = MlnetBench.Run,
    ["embed"] = EmbedBench.Run,
    ["dist"] = DistBench.Run,
    ["distill"] = DistillBench.Run,
};

// `train` and `embed` start our side as a worker process of this same program.
if (args is ["train-worker", ..]) return TrainBenchWorker.Run(args[1..]);
if (args is ["embed-worker", ..]) return EmbedBenchWorker.Run(args[1..]);
// `dist` starts its processes the same way.
if (args is ["dist-worker", ..]) return DistBenchWorker.Run(args[1..]);
if (args is ["distill-worker", ..]) return DistillBenchWorker.Run(args[1..]);

if (args.Length == 0 || !benches.TryGetValue(args[0], out var bench))
{
    Console.Error.WriteLine($"usage: bench <{string.Join("|", benches.Keys)}> [options]");
    return 2;
}
return bench(args[1..]);
