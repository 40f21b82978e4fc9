using System.Runtime.InteropServices;
using MLNetClip.Torch.Native;

namespace MLNetClip.Torch;

/// <summary>A failure reported by libtorch (shape or dtype mismatch, out of memory, …), carrying its message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    /// <summary>Reads and clears this thread's native error. Call only right after a native call reported failure.</summary>
    internal static TorchException FromNative()
    {
        var ptr = NativeMethods.mlc_last_error();
        var message = ptr == IntPtr.Zero ? "native call failed without a message" : Marshal.PtrToStringUTF8(ptr)!;
        NativeMethods.mlc_clear_error();
        return new TorchException(message.Trim());
    }

    internal static void Check(int status)
    {
        if (status == 0) throw FromNative();
    }
}
