namespace Quiver.Concurrency;

/// <summary>
/// How late work queued to the thread pool starts: when the process's cores are saturated, TLS
/// handshakes and response parsing queue behind each other, and this lag shows it before timeouts do.
/// </summary>
internal interface ISchedulingLagProbe : IDisposable
{
    /// <summary>The worst lag seen since the last call; reading it starts a new period.</summary>
    TimeSpan TakeWorstLag();
}
