using Microsoft.Extensions.Time.Testing;
using Quiver.Concurrency;
using Quiver.Fetching;

namespace Quiver.Tests.Concurrency;

/// <summary>
/// Drives a <see cref="ConcurrencyController"/> through a discrete-event model of a server on a
/// <see cref="FakeTimeProvider"/>: the loops always want one more slot than the gate gives (or, when
/// app-limited, fewer), each request ends at the time the model gives it, and the clock jumps from
/// one completion to the next. No sleeps: every decision follows from the model alone.
/// </summary>
internal sealed class ControllerDriver
{
    private readonly PriorityQueue<(ConcurrencyController.Ticket Ticket, FetchResult Result), long> _inFlight = new();
    private long _sequence;

    public ControllerDriver(AdaptiveConcurrencyOptions options, double cpuUtilisation = 0.2, TimeSpan? lag = null)
    {
        Cpu = new FakeCpuProbe(Time, cores: 2) { Utilisation = cpuUtilisation };
        Lag = new FakeLagProbe { Lag = lag ?? TimeSpan.Zero };
        Controller = new ConcurrencyController(options, Time, Cpu, Lag);
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UnixEpoch);
    public FakeCpuProbe Cpu { get; }
    public FakeLagProbe Lag { get; }
    public ConcurrencyController Controller { get; }

    /// <summary>Widths seen after each completion, and the most in flight ever.</summary>
    public List<int> Widths { get; } = [];
    public int MostInFlight { get; private set; }

    /// <summary>What the server does with a request started while <c>inFlight</c> are in flight (this one included).</summary>
    public delegate (TimeSpan Latency, int Status) Server(int inFlight);

    /// <summary>Runs <paramref name="completions"/> requests; <paramref name="demand"/> caps how many the loops want in flight (null: always more than allowed).</summary>
    public async Task RunAsync(Server server, int completions, int? demand = null, int hosts = 10)
    {
        Task<ConcurrencyController.Ticket>? waiting = null;
        for (int done = 0; done < completions; done++)
        {
            while (demand is null || _inFlight.Count < demand)
            {
                waiting ??= Controller.StartAsync(CancellationToken.None).AsTask();
                // Queued behind a full gate: the loops wait for a completion.
                if (!waiting.IsCompleted && Controller.Gate.Waiting > 0) break;
                var ticket = await waiting;
                waiting = null;
                int inFlight = _inFlight.Count + 1;
                MostInFlight = Math.Max(MostInFlight, inFlight);
                var (latency, status) = server(inFlight);
                long n = _sequence++;
                var result = new FetchResult
                {
                    Line = n,
                    Url = $"https://host{n % hosts}.test/page/{n}",
                    Status = status,
                    Bytes = 1000,
                    Timings = new FetchTimings { TotalMs = latency.TotalMilliseconds, TtfbMs = latency.TotalMilliseconds },
                };
                _inFlight.Enqueue((ticket, result), Time.GetTimestamp() + latency.Ticks * Time.TimestampFrequency / TimeSpan.TicksPerSecond);
            }
            if (!_inFlight.TryDequeue(out var next, out long due)) break;
            long now = Time.GetTimestamp();
            if (due > now) Time.Advance(TimeSpan.FromTicks((due - now) * TimeSpan.TicksPerSecond / Time.TimestampFrequency));
            Controller.Complete(next.Ticket, next.Result);
            Widths.Add(Controller.Width);
        }
    }

    /// <summary>A server with room for everyone: each request takes <paramref name="latency"/>.</summary>
    public static Server Unlimited(TimeSpan latency) => _ => (latency, 200);

    /// <summary>A server that works on <paramref name="capacity"/> requests at a time: beyond that, each waits its turn.</summary>
    public static Server Saturating(int capacity, TimeSpan latency) =>
        inFlight => (latency * Math.Max(1.0, inFlight / (double)capacity), 200);

    /// <summary>A server that works on <paramref name="limit"/> requests at a time and answers 429 at once to any beyond them.</summary>
    public Server Throttling(int limit, TimeSpan latency)
    {
        var working = new List<DateTimeOffset>();
        return _ =>
        {
            var now = Time.GetUtcNow();
            working.RemoveAll(end => end <= now);
            if (working.Count >= limit) return (TimeSpan.FromMilliseconds(2), 429);
            working.Add(now + latency);
            return (latency, 200);
        };
    }
}

/// <summary>Process CPU as a fraction of the cores, over the fake clock.</summary>
internal sealed class FakeCpuProbe(FakeTimeProvider time, int cores) : ICpuProbe
{
    private readonly DateTimeOffset _start = time.GetUtcNow();
    private TimeSpan _spentBefore;
    private DateTimeOffset _since = time.GetUtcNow();
    private double _utilisation;

    /// <summary>From now on, the process uses this fraction of all cores.</summary>
    public double Utilisation
    {
        get => _utilisation;
        set
        {
            _spentBefore = TotalCpu;
            _since = time.GetUtcNow();
            _utilisation = value;
        }
    }

    public TimeSpan TotalCpu => _spentBefore + (time.GetUtcNow() - _since) * (_utilisation * cores);

    public int Cores => cores;

    public TimeSpan Elapsed => time.GetUtcNow() - _start;
}

/// <summary>A thread pool as late as the test says.</summary>
internal sealed class FakeLagProbe : ISchedulingLagProbe
{
    public TimeSpan Lag { get; set; }

    public TimeSpan TakeWorstLag() => Lag;

    public void Dispose()
    {
    }
}
