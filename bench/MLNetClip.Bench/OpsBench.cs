using System.Globalization;
using MLNetClip.Torch;

namespace MLNetClip.Bench;

/// <summary>
/// Per-op overhead: a 64×64 add, allocating a result each time (what model code does), and
/// an in-place add (no allocation), each against the same loop in Python on the same libtorch.
/// </summary>
internal static class OpsBench
{
    public static int Run(string[] args)
    {
        var device = Device.Parse(BenchUtil.Arg(args, "--device", "cpu"));
        var iters = int.Parse(BenchUtil.Arg(args, "--iters", "100000"), CultureInfo.InvariantCulture);
        TorchRuntime.Threads = 1;

        using var a = Tensor.Randn([64, 64]).To(device);
        using var b = Tensor.Randn([64, 64]).To(device);
        void Sync() { if (device.IsCuda) Cuda.Synchronize(); }

        // Warm-up also lets the JIT tier up the hot path before timing.
        for (var i = 0; i < 20000; i++) { using var c = a + b; }
        Sync();

        var add = Time(device,  () =>
        {
            for (var i = 0; i < iters; i++) { using var c = a + b; }
            Sync();
        }) / iters;
        var addScoped = Time(device,  () =>
        {
            for (var i = 0; i < iters; i += 100)
            {
                using var scope = DisposeScope.Begin();
                for (var j = 0; j < 100; j++) _ = a + b;
            }
            Sync();
        }) / iters;
        var addInPlace = Time(device,  () =>
        {
            for (var i = 0; i < iters; i++) a.Add_(b);
            Sync();
        }) / iters;

        var py = BenchUtil.RunPython("ops_bench.py", "--device", device.ToString(), "--iters", iters.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine($"per-op overhead, 64x64 float32 add on {device}, libtorch {TorchRuntime.Version}, 1 thread, best of 5 x {iters} ({(device.IsCuda ? "wall" : "thread CPU")} time)");
        Console.WriteLine($"{"case",-28} {"C# us/op",10} {"Python us/op",13} {"C#/Python",10}");
        Row("c = a + b (using)", add, py?["add"]);
        Row("c = a + b (dispose scope)", addScoped, py?["add"]);
        Row("a.add_(b) (in place)", addInPlace, py?["add_"]);
        return 0;
    }

    // Single-threaded CPU work is timed in thread CPU seconds (robust to a busy machine);
    // CUDA work in wall seconds, since the GPU's time is what counts there.
    private static double Time(Device device, Action body) =>
        device.IsCuda ? BenchUtil.BestOf(5, body) : BenchUtil.BestOfThreadCpu(5, body);

    private static void Row(string name, double ours, double? python) =>
        Console.WriteLine($"{name,-28} {ours * 1e6,10:F2} {(python.HasValue ? (python.Value * 1e6).ToString("F2", CultureInfo.InvariantCulture) : "n/a"),13} {(python.HasValue ? BenchUtil.Ratio(ours, python.Value) : "n/a"),10}");
}
