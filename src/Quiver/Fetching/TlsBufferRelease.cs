using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Quiver.Fetching;

/// <summary>
/// Lets OpenSSL free a kept-alive TLS connection's record buffers while it waits between requests
/// (<c>SSL_MODE_RELEASE_BUFFERS</c>). .NET leaves the mode off, so each idle connection holds its
/// read and write buffers, about 15 KB; over 10,000 hosts that was 150 MB of a 630 MB peak
/// (bench/scale.sh, N = 100,000, H = 10,000, HTTPS), at the same speed with the mode on.
/// </summary>
/// <remarks>
/// Hand-written because .NET exposes neither the mode nor the connection's <c>SSL*</c>: the handle is
/// read from SslStream's private <c>_securityContext</c> and the mode set through the very libssl the
/// runtime loaded (found in <c>/proc/self/maps</c>). Anything unexpected (another platform, a renamed
/// field, OpenSSL 1.1, two libssl versions in the process) turns this off for the run and connections
/// behave as before. It runs once a connection's handshake is done, before any request uses it.
/// </remarks>
internal static class TlsBufferRelease
{
    private const int SslCtrlMode = 33;            // SSL_CTRL_MODE
    private const long SslModeReleaseBuffers = 0x10; // SSL_MODE_RELEASE_BUFFERS

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate long SslCtrl(IntPtr ssl, int command, long larg, IntPtr parg);

    private static readonly FieldInfo? SecurityContext =
        typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);
    private static readonly Lazy<SslCtrl?> Control = new(FindSslCtrl);

    /// <summary>Sets the mode on a freshly handshaken <see cref="SslStream"/>; false when it could not be (nothing changes then).</summary>
    public static bool TryApply(Stream stream)
    {
        if (stream is not SslStream ssl || SecurityContext is null || Control.Value is not { } control) return false;
        if (SecurityContext.GetValue(ssl) is not SafeHandle handle || handle.IsInvalid || handle.GetType().Name != "SafeSslHandle") return false;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            long mode = control(handle.DangerousGetHandle(), SslCtrlMode, SslModeReleaseBuffers, IntPtr.Zero);
            return (mode & SslModeReleaseBuffers) != 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private static SslCtrl? FindSslCtrl()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var libraries = File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/', StringComparison.Ordinal) is int slash and >= 0 ? line[slash..] : "")
                .Where(path => Path.GetFileName(path).StartsWith("libssl.so.", StringComparison.Ordinal))
                .Distinct()
                .ToList();
            // Exactly one libssl, and of the 3.x line whose SSL_ctrl this signature matches.
            if (libraries is not [{ } path] || !Path.GetFileName(path).StartsWith("libssl.so.3", StringComparison.Ordinal)) return null;
            var library = NativeLibrary.Load(path);
            return NativeLibrary.TryGetExport(library, "SSL_ctrl", out var export)
                ? Marshal.GetDelegateForFunctionPointer<SslCtrl>(export)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }
}
