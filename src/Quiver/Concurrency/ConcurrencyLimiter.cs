using Quiver.Fetching;

namespace Quiver.Concurrency;

/// <summary>
/// The one limit on requests in flight that a fetch loop or a crawler takes: either a fixed width
/// (<c>-c N</c>) or a width a <see cref="ConcurrencyController"/> adjusts (<c>--concurrency auto</c>).
/// Callers acquire a ticket before each request and release it with the request's result.
/// </summary>
internal sealed class ConcurrencyLimiter : IDisposable
{
    private readonly ConcurrencyGate _gate;
    private readonly int _fixedWidth;

    private ConcurrencyLimiter(ConcurrencyGate gate, int fixedWidth, ConcurrencyController? controller)
    {
        _gate = gate;
        _fixedWidth = fixedWidth;
        Controller = controller;
    }

    /// <summary>At most <paramref name="width"/> at once, always.</summary>
    public static ConcurrencyLimiter Fixed(int width) => new(new ConcurrencyGate(width), width, null);

    /// <summary>A width <paramref name="options"/> lets the controller adjust.</summary>
    public static ConcurrencyLimiter Adaptive(AdaptiveConcurrencyOptions options, TimeProvider? time = null, ICpuProbe? cpu = null, ISchedulingLagProbe? lag = null)
    {
        var controller = new ConcurrencyController(options, time, cpu, lag);
        return new(controller.Gate, 0, controller);
    }

    /// <summary>Fixed when <paramref name="adaptive"/> is null, adaptive otherwise.</summary>
    public static ConcurrencyLimiter Create(int fixedWidth, AdaptiveConcurrencyOptions? adaptive) =>
        adaptive is null ? Fixed(fixedWidth) : Adaptive(adaptive);

    /// <summary>The controller, when the width is adaptive.</summary>
    public ConcurrencyController? Controller { get; }

    /// <summary>The most that may ever be in flight: the fixed width or the adaptive cap.</summary>
    public int MaxWidth => Controller?.Options.MaxWidth ?? _fixedWidth;

    /// <summary>The adaptive width's path; null for a fixed width.</summary>
    public WidthReport? Report => Controller?.Report;

    public async ValueTask<ConcurrencyController.Ticket> AcquireAsync(CancellationToken cancellationToken)
    {
        if (Controller is not null) return await Controller.StartAsync(cancellationToken).ConfigureAwait(false);
        await _gate.AcquireAsync(cancellationToken).ConfigureAwait(false);
        return new ConcurrencyController.Ticket(0, _fixedWidth, 0);
    }

    /// <summary>Frees the slot of <paramref name="ticket"/>; <paramref name="result"/> (if any) is what it measured.</summary>
    public void Release(ConcurrencyController.Ticket ticket, FetchResult? result)
    {
        if (Controller is not null) Controller.Complete(ticket, result);
        else _gate.Release();
    }

    public void Dispose() => Controller?.Dispose();
}
