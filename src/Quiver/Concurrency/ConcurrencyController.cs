using Quiver.Fetching;

namespace Quiver.Concurrency;

/// <summary>
/// <c>--concurrency auto</c>: sets the limit of a <see cref="ConcurrencyGate"/> from what the run's
/// own completions measure. Each width gets a window of completions of requests started at that
/// width; when the window closes, one decision: back off on overload, grow while growing pays and
/// the gate is the bottleneck, settle on the smallest width of a plateau, and now and then probe a
/// step up or down. docs/concurrency.md walks through each decision and the signal behind it.
/// Thread-safe: loops report completions concurrently; decisions are taken under one lock.
/// </summary>
internal sealed class ConcurrencyController : IDisposable
{
    private readonly AdaptiveConcurrencyOptions _options;
    private readonly TimeProvider _time;
    private readonly ICpuProbe _cpu;
    private readonly ISchedulingLagProbe _lag;
    private readonly object _lock = new();
    private readonly HostBaselines _baselines;
    private readonly Window _window = new();
    private Phase _phase = Phase.Growing;
    private int _epoch;
    private int _width;
    private int _peak;
    private int _changes;
    private string _reason;
    // Growth: the best goodput so far and the smallest width that reached it.
    private double _bestGoodput;
    private double _bestBytes;
    private int _bestWidth;
    // Steady: the goodput of the settled width, and the probe under way (0: none).
    private double _steadyGoodput;
    private int _steadyWidth;
    private int _probeDirection;
    private int _windowsSinceProbe;
    private bool _nextProbeUp = true;
    private double _lowestFailureRate = double.PositiveInfinity;
    // Failures start from the first window's rate: a list with dead hosts fails at any width, and only a
    // rise says "too wide". (Throttling needs no baseline: it is counted only from hosts that served before.)
    private (long Timestamp, TimeSpan Cpu) _cpuMark;
    private double _cpuUtilisation;
    private long _read;
    private long _completed;
    private bool _inputEnded;

    /// <summary>CPU is averaged over at least this span: shorter, and one GC or one scheduler tick dominates.</summary>
    private static readonly TimeSpan CpuSpan = TimeSpan.FromMilliseconds(250);

    public ConcurrencyController(AdaptiveConcurrencyOptions options, TimeProvider? time = null, ICpuProbe? cpu = null, ISchedulingLagProbe? lag = null)
    {
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _time = time ?? TimeProvider.System;
        _cpu = cpu ?? ProcessCpuProbe.Instance;
        _lag = lag ?? new ThreadPoolLagProbe(_time);
        _baselines = new HostBaselines(options.MaxTrackedHosts);
        _width = _peak = _bestWidth = options.StartWidth;
        _reason = $"started at {_width}";
        Gate = new ConcurrencyGate(_width);
        _cpuMark = (_time.GetTimestamp(), _cpu.TotalCpu);
    }

    public ConcurrencyGate Gate { get; }

    public AdaptiveConcurrencyOptions Options => _options;

    /// <summary>The width now.</summary>
    public int Width { get { lock (_lock) return _width; } }

    public WidthReport Report
    {
        get { lock (_lock) return new WidthReport(_options.StartWidth, _peak, _width, _changes, _reason); }
    }

    /// <summary>Waits for a slot; the returned ticket says which width it started under and must be completed.</summary>
    public async ValueTask<Ticket> StartAsync(CancellationToken cancellationToken)
    {
        await Gate.AcquireAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock) return new Ticket(_epoch, _width, _time.GetTimestamp());
    }

    /// <summary>The run took one more URL from its input (which may now be small enough to be all in flight).</summary>
    public void OnRead()
    {
        lock (_lock) _read++;
    }

    /// <summary>The input has no more URLs: whatever is left may fit in flight at once.</summary>
    public void OnInputEnded()
    {
        lock (_lock)
        {
            _inputEnded = true;
            FitPending();
        }
    }

    /// <summary>
    /// The fetch that <paramref name="ticket"/> started has ended with <paramref name="result"/>
    /// (null: it ended without one, e.g. the run stopped). Releases its slot.
    /// </summary>
    public void Complete(Ticket ticket, FetchResult? result)
    {
        lock (_lock)
        {
            _completed++;
            if (result is not null) Count(ticket, result);
        }
        Gate.Release();
    }

    private void Count(Ticket ticket, FetchResult result)
    {
        var t = result.Timings;
        double? handshake = t.ConnectMs is null && t.TlsMs is null ? null : (t.ConnectMs ?? 0) + (t.TlsMs ?? 0);
        bool throttled = result.Status is 429 or 503;
        var verdict = _baselines.Observe(HostBaselines.AuthorityOf(result.Url), t.TtfbMs, handshake, served: result.Error is null && !throttled,
            _options.LatencyInflation, _options.InflationSlack.TotalMilliseconds);
        // Only requests started at this width measure it; the ones still running from before measure the old one.
        if (ticket.Epoch != _epoch) return;
        _window.Add(result, verdict, _time.GetElapsedTime(ticket.Started).TotalSeconds);
        if (_window.Completions >= WindowSize) Decide();
    }

    private int WindowSize => Math.Max(_options.MinWindowCompletions, 2 * _width);

    private void Decide()
    {
        var w = _window;
        // Goodput by Little's law: with the gate full, `width` slots are held all the time, each for the
        // mean time a fetch held one, so the gate passes width ÷ mean hold fetches a second. Unlike
        // completions over wall time, this needs no steady state: it is exact right after a change, when
        // the window's first completions are the new slots' burst.
        double meanHold = Math.Max(w.HeldSeconds / w.Completions, 1e-6);
        double goodput = _width / meanHold * w.Successes / w.Completions;
        double bytesPerSecond = _width / meanHold * w.Bytes / w.Completions;
        // A window with no success at all counts every 429/503: nothing was served, so nothing says the hosts are merely broken.
        double throttleRate = (w.Successes == 0 ? w.AnyThrottled : w.Throttled) / (double)w.Completions;
        double failureRate = w.LoadFailures / (double)w.Completions;
        if (double.IsPositiveInfinity(_lowestFailureRate)) _lowestFailureRate = failureRate;
        double cpu = CpuUtilisation();
        var lag = _lag.TakeWorstLag();
        bool contended = Gate.TakeContended();
        bool cpuSaturated = cpu >= _options.CpuSaturation;

        string? overload =
            throttleRate > _options.FailureRateThreshold ? $"server throttling: {throttleRate:P0} of responses were 429/503"
            : failureRate > _lowestFailureRate + _options.FailureRateThreshold ? $"failures rose: {failureRate:P0} timeouts/resets/refusals against {_lowestFailureRate:P0} at best"
            : cpuSaturated && lag >= _options.SchedulingLagThreshold ? $"client CPU saturated: {cpu:P0} of {_cpu.Cores} cores, thread pool {lag.TotalMilliseconds:0} ms late"
            : w.TtfbComparable >= 8 && w.TtfbInflated > _options.InflatedFraction * w.TtfbComparable ? $"latency inflated: {w.TtfbInflated} of {w.TtfbComparable} responses slower than their host's baseline ×{_options.LatencyInflation:0.#}"
            : w.HandshakeComparable >= 8 && w.HandshakeInflated > _options.InflatedFraction * w.HandshakeComparable ? $"connect/TLS inflated: {w.HandshakeInflated} of {w.HandshakeComparable} handshakes slower than their host's baseline ×{_options.LatencyInflation:0.#}"
            : null;

        _lowestFailureRate = Math.Min(_lowestFailureRate, failureRate);
        if (overload is not null)
        {
            int lower = Math.Max(_options.MinWidth, (int)(_width * _options.BackoffFactor));
            // A failed probe up returns to the width it left; any other overload backs off from where it is.
            if (_probeDirection > 0) lower = Math.Min(lower, _steadyWidth);
            Settle(lower, 0, $"backed off: {overload}");
        }
        else if (_phase == Phase.Growing)
        {
            Grow(goodput, bytesPerSecond, contended, cpuSaturated, cpu);
        }
        else
        {
            Steady(goodput, contended, cpuSaturated);
        }
        _window.Reset();
        FitPending();
    }

    private void Grow(double goodput, double bytesPerSecond, bool contended, bool cpuSaturated, double cpu)
    {
        // Growth pays when either goodput grows: more fetches per second, or more bytes (a list of large bodies).
        if (goodput == 0) { Keep($"nothing succeeded at {_width}: holding"); return; }
        if (_bestGoodput == 0 || goodput >= _bestGoodput * (1 + _options.GrowthGain) || bytesPerSecond >= _bestBytes * (1 + _options.GrowthGain) && bytesPerSecond > 0)
        {
            _bestGoodput = Math.Max(_bestGoodput, goodput);
            _bestBytes = Math.Max(_bestBytes, bytesPerSecond);
            _bestWidth = _width;
            if (!contended) { Keep($"app-limited at {_width}: fewer in flight than allowed, so a wider gate would change nothing"); return; }
            if (cpuSaturated) { Settle(_width, goodput, $"client CPU saturated ({cpu:P0}) at {_width}: holding"); return; }
            if (_width >= _options.MaxWidth) { Settle(_width, goodput, $"at --max-concurrency {_options.MaxWidth}"); return; }
            SetWidth(Math.Min(_options.MaxWidth, _width * 2), $"growing: {goodput:0.#}/s at {_width} paid, doubling");
            return;
        }
        if (!contended) { Keep($"app-limited at {_width}: fewer in flight than allowed"); return; }
        // Wider did not pay: the smallest width that reached the best goodput is the plateau's start.
        int from = _width;
        // After a probe up that paid, the best width is the current one: say so rather than "472 was no faster than 472".
        string reason = from == _bestWidth
            ? $"plateau at {from}: {goodput:0.#}/s, no more than the {_bestGoodput:0.#}/s it reached"
            : $"plateau: {from} was no faster than {_bestWidth} ({goodput:0.#}/s against {_bestGoodput:0.#}/s)";
        Settle(_bestWidth, _bestGoodput, reason);
    }

    private void Steady(double goodput, bool contended, bool cpuSaturated)
    {
        if (_probeDirection > 0)
        {
            if (goodput >= _steadyGoodput * (1 + _options.GrowthGain))
            {
                // Wider paid after all (the list changed, or the overload passed): grow again.
                _phase = Phase.Growing;
                _bestGoodput = goodput;
                _bestWidth = _width;
                _probeDirection = 0;
                Keep($"probe up to {_width} paid ({goodput:0.#}/s against {_steadyGoodput:0.#}/s): growing again");
            }
            else Settle(_steadyWidth, _steadyGoodput, $"probe up to {_width} did not pay: back to {_steadyWidth}");
            return;
        }
        if (_probeDirection < 0)
        {
            // The smallest width of a plateau is preferred: fewer connections, less memory, kinder to servers.
            if (goodput >= _steadyGoodput * (1 - _options.GrowthGain / 2)) Settle(_width, goodput, $"probe down to {_width} kept the goodput ({goodput:0.#}/s): staying smaller");
            else Settle(_steadyWidth, _steadyGoodput, $"probe down to {_width} lost goodput: back to {_steadyWidth}");
            return;
        }
        _steadyGoodput = _steadyGoodput == 0 ? goodput : (_steadyGoodput + goodput) / 2;
        if (++_windowsSinceProbe < _options.ProbeEvery) return;
        _windowsSinceProbe = 0;
        bool up = _nextProbeUp && contended && !cpuSaturated && _width < _options.MaxWidth;
        _nextProbeUp = !_nextProbeUp;
        if (up)
        {
            _probeDirection = 1;
            SetWidth(Math.Min(_options.MaxWidth, Math.Max(_width + 1, _width * 3 / 2)), $"probing up from {_width}");
        }
        else if (_width > _options.MinWidth)
        {
            _probeDirection = -1;
            SetWidth(Math.Max(_options.MinWidth, _width * 3 / 4), $"probing down from {_width}");
        }
    }

    /// <summary>
    /// When the input has ended and everything not yet finished fits under the cap, the quickest
    /// end is all of it in flight at once: no URL then waits for a slot only to hang its whole timeout
    /// at the very end. Only while growing: after overload or on a plateau, more width did not pay.
    /// </summary>
    private void FitPending()
    {
        if (!_inputEnded || _phase != Phase.Growing) return;
        long pending = _read - _completed;
        if (pending > _width && pending <= _options.MaxWidth)
            SetWidth((int)pending, $"the rest of the list ({pending} URLs) fits in flight at once");
    }

    private double CpuUtilisation()
    {
        long now = _time.GetTimestamp();
        var spent = _cpu.TotalCpu;
        var elapsed = _time.GetElapsedTime(_cpuMark.Timestamp, now);
        if (elapsed > TimeSpan.Zero)
            _cpuUtilisation = (spent - _cpuMark.Cpu).TotalSeconds / (elapsed.TotalSeconds * Math.Max(1, _cpu.Cores));
        // The mark moves on only every CpuSpan, so the figure always covers at least the last CpuSpan once the run is that old.
        if (elapsed >= CpuSpan) _cpuMark = (now, spent);
        return _cpuUtilisation;
    }

    /// <summary>Leaves growth for the steady phase at <paramref name="width"/>, whose goodput is <paramref name="goodput"/> (0: to be measured).</summary>
    private void Settle(int width, double goodput, string reason)
    {
        _phase = Phase.Steady;
        _probeDirection = 0;
        _windowsSinceProbe = 0;
        _steadyWidth = width;
        _steadyGoodput = goodput;
        if (width != _width) SetWidth(width, reason);
        else Keep(reason);
    }

    private void Keep(string reason) => _reason = reason;

    /// <summary>The last changes, oldest first ("from → to: why"), for tests and debugging.</summary>
    internal IReadOnlyList<string> History
    {
        get { lock (_lock) return [.. _history]; }
    }

    private readonly Queue<string> _history = new();

    private void SetWidth(int width, string reason)
    {
        width = Math.Clamp(width, _options.MinWidth, _options.MaxWidth);
        _reason = reason;
        if (width == _width) return;
        if (_history.Count == 32) _history.Dequeue();
        _history.Enqueue($"{_width} → {width}: {reason}");
        _width = width;
        _peak = Math.Max(_peak, width);
        _changes++;
        _epoch++;
        _window.Reset();
        Gate.Limit = width;
    }

    public void Dispose() => _lag.Dispose();

    /// <summary>Which width a fetch started under.</summary>
    public readonly record struct Ticket(int Epoch, int Width, long Started);

    private enum Phase { Growing, Steady }

    /// <summary>What the completions of one width have shown so far.</summary>
    private sealed class Window
    {
        public int Completions;
        public int Successes;
        public long Bytes;
        public int Throttled;
        public int AnyThrottled;
        public int LoadFailures;
        public int TtfbComparable;
        public int TtfbInflated;
        public int HandshakeComparable;
        public int HandshakeInflated;

        public double HeldSeconds;

        public void Add(FetchResult result, HostBaselines.Verdict verdict, double heldSeconds)
        {
            Completions++;
            HeldSeconds += heldSeconds;
            // Throttling counts only from a host that served before: one that answers 503 to everything
            // (broken, or closed) says nothing about the width, and would otherwise keep it at its least.
            bool throttled = result.Status is 429 or 503;
            if (throttled) AnyThrottled++;
            if (throttled && verdict.ServedBefore) Throttled++;
            else if (!throttled && result.Error is null)
            {
                Successes++;
                Bytes += result.Bytes ?? 0;
            }
            if (result.Error is FetchErrorKind.Timeout or FetchErrorKind.ConnectTimeout or FetchErrorKind.ConnectionReset or FetchErrorKind.ConnectionRefused)
                LoadFailures++;
            if (verdict.TtfbComparable) TtfbComparable++;
            if (verdict.TtfbInflated) TtfbInflated++;
            if (verdict.HandshakeComparable) HandshakeComparable++;
            if (verdict.HandshakeInflated) HandshakeInflated++;
        }

        public void Reset()
        {
            Completions = Successes = Throttled = AnyThrottled = LoadFailures = TtfbComparable = TtfbInflated = HandshakeComparable = HandshakeInflated = 0;
            Bytes = 0;
            HeldSeconds = 0;
        }
    }
}
