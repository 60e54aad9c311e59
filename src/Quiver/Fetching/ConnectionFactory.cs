using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Quiver.Fetching;

/// <summary>
/// Opens the TCP connections for <see cref="SocketsHttpHandler"/>: applies <c>--resolve</c> overrides,
/// resolves other names through a <see cref="DnsCache"/>, refuses what the <see cref="AddressGuard"/> refuses, keeps the open connections under a
/// <see cref="ConnectionBudget"/>, enforces the connect timeout, and measures name resolution, connect and TLS on the fetch that
/// caused the connection to open.
/// </summary>
/// <remarks>
/// The pool may hand a new connection to a different request than the one that triggered it; the
/// timings are charged to the triggering request, which is the one that waited for them.
/// </remarks>
internal sealed class ConnectionFactory
{
    private readonly Dictionary<(string Host, int Port), IPAddress> _overrides;
    private readonly TimeSpan _connectTimeout;
    private readonly DnsCache _dns;
    private readonly ConnectionBudget _budget;
    private readonly AddressGuard? _guard;
    private readonly Func<Uri, IPEndPoint>? _route;

    public ConnectionFactory(FetchOptions options)
    {
        _connectTimeout = options.ConnectTimeout;
        _dns = new DnsCache(lookup: options.NameLookup);
        _guard = AddressGuard.For(options);
        _route = options.ConnectEverythingTo;
        _budget = new ConnectionBudget(options.MaxOpenConnections);
        _overrides = [];
        foreach (var entry in options.Resolve)
            _overrides[(entry.Host, entry.Port)] = IPAddress.Parse(entry.Address);
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var timings = (context.InitialRequestMessage as TimedRequestMessage)?.Timings;
        var endpoint = context.DnsEndPoint;
        long started = Stopwatch.GetTimestamp();

        IPAddress[] addresses;
        if (_overrides.TryGetValue((endpoint.Host.ToLowerInvariant(), endpoint.Port), out var pinned))
        {
            addresses = [pinned];
        }
        // The parser's reading of a literal, so that a zone written as RFC 6874 wants (%25eth0) is the one connected through.
        else if (Input.HostRules.TryParseLiteral(endpoint.Host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _dns.ResolveAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new HttpRequestException(HttpRequestError.NameResolutionError, e.Message, e);
            }
            timings?.AddDns(Stopwatch.GetElapsedTime(started));
        }
        // Judged here, on what the socket will connect to, and before it exists: a refused address never sees a packet.
        // Pinned addresses are the user's own choice and are trusted.
        if (_guard is not null && pinned is null)
            addresses = _guard.Filter(addresses, endpoint.Host, endpoint.Port);
        int port = endpoint.Port;
        if (_route is not null && context.InitialRequestMessage.RequestUri is { } requested)
        {
            var route = _route(requested);
            if (!IPAddress.IsLoopback(route.Address)) throw new InvalidOperationException($"a test route must stay on loopback, not {route}");
            (addresses, port) = ([route.Address], route.Port);
        }

        long connectStarted = Stopwatch.GetTimestamp();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(_connectTimeout);
        try
        {
            await socket.ConnectAsync(addresses, port, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ConnectTimeoutException($"connect to {endpoint.Host}:{endpoint.Port} timed out after {_connectTimeout.TotalSeconds:0.###}s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (timings is not null)
        {
            timings.AddConnect(Stopwatch.GetElapsedTime(connectStarted));
            timings.ConnectedAt = Stopwatch.GetTimestamp();
        }
        return _budget.Track(socket);
    }

    /// <summary>Runs once the connection is usable: after TLS for https, right away for http.</summary>
    public static ValueTask<Stream> OnPlaintextReady(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken)
    {
        if (context.InitialRequestMessage is TimedRequestMessage { Timings: var timings }
            && timings.ConnectedAt != 0
            && context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttps)
        {
            timings.AddTls(Stopwatch.GetElapsedTime(timings.ConnectedAt));
            timings.ConnectedAt = 0;
        }
        TlsBufferRelease.TryApply(context.PlaintextStream);
        return ValueTask.FromResult(context.PlaintextStream);
    }
}

/// <summary>Connection-setup time charged to one fetch, summed over its redirect hops.</summary>
internal sealed class ConnectionTimings
{
    private long _dnsTicks, _connectTicks, _tlsTicks;

    public long ConnectedAt { get; set; }

    public void AddDns(TimeSpan elapsed) => Interlocked.Add(ref _dnsTicks, Math.Max(1, elapsed.Ticks));
    public void AddConnect(TimeSpan elapsed) => Interlocked.Add(ref _connectTicks, Math.Max(1, elapsed.Ticks));
    public void AddTls(TimeSpan elapsed) => Interlocked.Add(ref _tlsTicks, Math.Max(1, elapsed.Ticks));

    public void CopyTo(FetchTimings target)
    {
        target.DnsMs = ToMs(_dnsTicks);
        target.ConnectMs = ToMs(_connectTicks);
        target.TlsMs = ToMs(_tlsTicks);
    }

    private static double? ToMs(long ticks) => ticks == 0 ? null : Math.Round(ticks / (double)TimeSpan.TicksPerMillisecond, 3);
}
