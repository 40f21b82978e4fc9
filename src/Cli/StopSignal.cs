using System.Runtime.InteropServices;

namespace MLNetClip.Cli;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancellation request, so a long command can
/// finish its step and save a checkpoint; a second signal is left to the runtime and ends the
/// process at once. Only commands that take a cancellation token listen (see <see cref="CliApp"/>);
/// the others stop the moment the signal arrives, as any program does.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _received;

    private StopSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _source.Token;

    public static StopSignal Listen() => new();

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Exchange(ref _received, 1) == 1) return;
        context.Cancel = true;
        Console.Error.WriteLine($"mlnetclip: {context.Signal} received: stopping (send it again to quit at once)");
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _source.Dispose();
    }
}
