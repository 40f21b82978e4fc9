using System.CommandLine;
using System.Diagnostics;
using MLNetClip.Torch;
using MLNetClip.Torch.Nn;
using MLNetClip.Torch.Optim;

namespace MLNetClip.Cli;

/// <summary>
/// `mlnetclip selfcheck`: proves the native engine, BLAS and autograd work on this machine by
/// fitting a small regression and reporting the facts a bug report needs.
/// </summary>
internal static class SelfCheckCommand
{
    public static Command Create()
    {
        var device = DeviceOption.Create();
        var command = new Command("selfcheck", "Check the libtorch engine, BLAS and autograd on this machine") { device };
        command.SetAction(parse => Run(parse.GetValue(device)));
        return command;
    }

    private static int Run(Device device)
    {
        Console.WriteLine($"libtorch      {TorchRuntime.Version}");
        Console.WriteLine($"threads       {TorchRuntime.Threads}");
        var blas = TorchRuntime.LoadedBlasLibraries();
        Console.WriteLine($"blas loaded   {(blas.Count == 0 ? "(none mapped yet)" : string.Join(", ", blas))}");
        Console.WriteLine($"cuda          {(Cuda.IsAvailable ? $"{Cuda.DeviceCount} device(s)" : "not available")}");
        if (device.IsCuda && !Cuda.IsAvailable)
            throw new CliException($"--device {device} was asked for but libtorch sees no CUDA device", ExitCodes.Environment);

        // Fit y = x·w* + b* with AdamW; the loss must fall by orders of magnitude.
        using var gen = new Generator(0);
        using var model = new Linear(16, 4);
        model.To(device);
        using var opt = new AdamW(model.Parameters(), learningRate: 0.05, weightDecay: 0);
        using var wTrue = Tensor.Randn([16, 4], gen).To(device);
        using var x = Tensor.Randn([256, 16], gen).To(device);
        using var y = x.MatMul(wTrue);
        double first = 0, last = 0;
        var sw = Stopwatch.StartNew();
        for (var step = 0; step < 300; step++)
        {
            using var scope = DisposeScope.Begin();
            var loss = F.Mse(model.Forward(x), y);
            opt.ZeroGrad();
            loss.Backward();
            opt.Step();
            last = loss.Item();
            if (step == 0) first = last;
        }
        Console.WriteLine($"regression    loss {first:G4} -> {last:G4} in 300 steps, {sw.Elapsed.TotalMilliseconds / 300:F2} ms/step");
        var ok = last < first * 1e-3;
        Console.WriteLine(ok ? "selfcheck     OK" : "selfcheck     FAILED: the loss did not fall");
        return ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }
}
