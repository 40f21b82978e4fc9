using System.Globalization;
using MLNetClip.Models;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;

namespace MLNetClip.Bench;

/// <summary>
/// Forward+backward of one pre-LN transformer block (width 384, 6 heads, MLP ×4, gelu, 197 tokens,
/// batch 32: a ViT-S/16 block at 224 px) against the same sequence of ops in PyTorch on the same libtorch.
/// </summary>
internal static class BlockBench
{
    public static int Run(string[] args)
    {
        var device = Device.Parse(BenchUtil.Arg(args, "--device", "cpu"));
        var iters = int.Parse(BenchUtil.Arg(args, "--iters", device.IsCuda ? "50" : "5"), CultureInfo.InvariantCulture);
        var threads = int.Parse(BenchUtil.Arg(args, "--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        const int batch = 32, tokens = 197, width = 384, heads = 6;
        TorchRuntime.Threads = threads;

        using var block = new Block(width, heads, 4.0, Activation.Gelu);
        block.To(device);
        using var x = Tensor.Randn([batch, tokens, width]).To(device);
        void Sync() { if (device.IsCuda) Cuda.Synchronize(); }

        void Step()
        {
            using var scope = DisposeScope.Begin();
            block.ZeroGrad();
            block.Forward(x).Mean().Backward();
        }

        Step();
        Step();
        Sync();
        void Loop()
        {
            for (var i = 0; i < iters; i++) Step();
            Sync();
        }
        var wall = BenchUtil.BestOf(3, Loop) / iters;
        var cpu = device.IsCuda ? double.NaN : BenchUtil.BestOfProcessCpu(3, Loop) / iters;

        var py = args.Contains("--no-python") ? null : BenchUtil.RunPython("block_bench.py", "--device", device.ToString(), "--iters", iters.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine($"transformer block forward+backward, batch {batch} x {tokens} tokens x width {width}, {heads} heads, " +
                          $"on {device}, libtorch {TorchRuntime.Version}, {threads} threads, best of 3 x {iters}");
        Console.WriteLine($"{"time",-22} {"C# ms/step",12} {"Python ms/step",15} {"C#/Python",10}");
        Row("wall", wall, py?["step"]);
        // On a CPU shared with other work, process CPU time is the steadier comparison.
        if (!device.IsCuda) Row("process CPU (all threads)", cpu, py?["cpu"]);
        return 0;
    }

    private static void Row(string name, double ours, double? python)
    {
        var ms = python.HasValue ? (python.Value * 1e3).ToString("F1", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine($"{name,-22} {ours * 1e3,12:F1} {ms,15} {(python.HasValue ? BenchUtil.Ratio(ours, python.Value) : "n/a"),10}");
    }
}
