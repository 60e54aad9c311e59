using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Quiver.Handlers;
using Quiver.Input;
using Quiver.Resilience;

namespace Quiver.Fetching;

/// <summary>
/// Fetches one URL into one <see cref="FetchResult"/>, following redirects by hand so that the chain
/// is recorded. Never throws for a per-URL problem. One instance is shared by every request of a
/// run, so connections are pooled per host across the whole list.
/// </summary>
/// <remarks>
/// The logic is written once with an <c>async</c> flag, as dotnet/runtime's SocketsHttpHandler does:
/// with <c>async: false</c> every call is the blocking one (<see cref="HttpMessageInvoker.Send(HttpRequestMessage, CancellationToken)"/>,
/// <see cref="Stream.Read(Span{byte})"/>) and the returned ValueTask is already complete. That is what
/// lets the <c>threads</c> strategy be honest blocking I/O without a second copy of this code.
/// </remarks>
public sealed class Fetcher : IDisposable
{
    private const int ReadBufferSize = 16 * 1024;
    private readonly FetchOptions _options;
    // The handler itself, not an HttpClient: HttpClient adds a second linked CancellationTokenSource
    // (and its registrations) and an async layer per request, for features Quiver does not use
    // (default headers, its own timeout, CancelPendingRequests).
    private readonly HttpMessageInvoker _client;
    private readonly IResponseHandler[] _handlers;
    private readonly Version _version;
    private readonly FetchRetryPipeline? _retry;

    public Fetcher(FetchOptions options, IEnumerable<IResponseHandler>? handlers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _handlers = [.. BuiltInHandlers(options), .. handlers ?? []];
        _version = options.Http2 ? HttpVersion.Version20 : HttpVersion.Version11;
        _retry = options.Retry is { MaxAttempts: > 1 } retry ? new FetchRetryPipeline(retry) : null;
        _client = new HttpMessageInvoker(CreateHandler(options), disposeHandler: true);
    }

    public FetchOptions Options => _options;

    /// <summary>Fetches asynchronously.</summary>
    public ValueTask<FetchResult> FetchAsync(UrlRequest request, CancellationToken cancellationToken = default)
        => _retry is null || request.Uri is null
            ? FetchCoreAsync(request, async: true, cancellationToken)
            : FetchWithRetriesAsync(_retry, request, cancellationToken);

    /// <summary>Fetches with blocking calls on the calling thread.</summary>
    public FetchResult Fetch(UrlRequest request, CancellationToken cancellationToken = default)
    {
        if (_retry is null || request.Uri is null) return FetchOnce(request, cancellationToken);
        try
        {
            return _retry.Execute(token => FetchOnce(request, token), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Cancelled(request);
        }
    }

    /// <summary>A stop that lands in a retry's backoff still ends as a record, not an exception.</summary>
    private async ValueTask<FetchResult> FetchWithRetriesAsync(FetchRetryPipeline retry, UrlRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.ExecuteAsync(token => FetchCoreAsync(request, async: true, token), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Cancelled(request);
        }
    }

    private FetchResult FetchOnce(UrlRequest request, CancellationToken cancellationToken)
    {
        var pending = FetchCoreAsync(request, async: false, cancellationToken);
        Debug.Assert(pending.IsCompleted, "the synchronous path must not go asynchronous");
        // Blocking here is the point of the synchronous path.
        return pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    // The per-fetch state machines come from a pool (PoolingAsyncValueTaskMethodBuilder): each is a few
    // hundred bytes, and a fetch that waits on the network always needs them, so a run would otherwise
    // allocate them anew for every URL. Every caller awaits the returned ValueTask once, as pooling requires.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FetchResult> FetchCoreAsync(UrlRequest request, bool async, CancellationToken cancellationToken)
    {
        var result = FetchResult.For(request);
        if (request.Uri is null)
            return result.Fail(FetchErrorKind.InvalidUrl, request.InvalidReason ?? "not a URL");
        if (cancellationToken.IsCancellationRequested)
            return FetchResult.NotStarted(request);

        long started = Stopwatch.GetTimestamp();
        var timings = new ConnectionTimings();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        result.Attempts = 1;
        try
        {
            await FetchWithRedirectsAsync(request.Uri, result, timings, async, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The tokens, not the exception, say whether the run stopped or the deadline passed: the
            // handler reports both as whatever the interrupted call threw (a cancellation, an I/O error).
            if (cancellationToken.IsCancellationRequested)
            {
                result.Fail(FetchErrorKind.Cancelled, FetchResult.CancelledMessage);
            }
            else if (deadline.IsCancellationRequested)
            {
                result.Fail(FetchErrorKind.Timeout, $"no complete response within {_options.Timeout.TotalSeconds:0.###}s");
            }
            else
            {
                var (kind, message) = ErrorClassifier.Classify(e);
                result.Fail(kind, message);
            }
        }
        finally
        {
            timings.CopyTo(result.Timings);
            result.Timings.TotalMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        }
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FetchWithRedirectsAsync(Uri uri, FetchResult result, ConnectionTimings timings, bool async, CancellationToken cancellationToken)
    {
        var current = uri;
        // Scoped to this method: the connections report to it only while this fetch runs.
        var reuse = new ConnectionReuse();
        ConnectionReuse.Attach(reuse);
        for (int hop = 0; ; hop++)
        {
            var (response, sent) = await SendAsync(current, timings, reuse, async, cancellationToken).ConfigureAwait(false);
            using (response)
            using (response.RequestMessage)
            {
                result.Timings.TtfbMs = Math.Round(Stopwatch.GetElapsedTime(sent).TotalMilliseconds, 3);
                result.Status = (int)response.StatusCode;
                result.HttpVersion = VersionName(response.Version);
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
                    result.RetryAfter = RetryAfterOf(response.Headers.RetryAfter);

                if (IsRedirect(response.StatusCode) && RedirectTarget(current, response.Headers) is { } target)
                {
                    if (target.Problem is { } problem)
                    {
                        // Kept as too-many-redirects is: the 3xx that could not be followed, its URL and the chain before it.
                        result.FinalUrl = current.AbsoluteUri;
                        result.Fail(FetchErrorKind.InvalidRedirect, problem);
                        return;
                    }
                    var next = target.Uri!;
                    if (_options.RedirectsStayOnHost && !SameHost(current, next))
                    {
                        result.FinalUrl = current.AbsoluteUri;
                        result.RedirectTo = next.AbsoluteUri;
                        return;
                    }
                    if (hop >= _options.MaxRedirects)
                    {
                        result.FinalUrl = current.AbsoluteUri;
                        result.Fail(FetchErrorKind.TooManyRedirects, $"more than {_options.MaxRedirects} redirects (next: {next.AbsoluteUri})");
                        return;
                    }
                    (result.Redirects ??= []).Add(next.AbsoluteUri);
                    // A hop's status is not the final response's: a failure on the next hop has none.
                    result.Status = null;
                    result.HttpVersion = null;
                    result.RetryAfter = null;
                    current = next;
                    continue;
                }

                result.FinalUrl = current.AbsoluteUri;
                // The raw header value: parsing it into a MediaTypeHeaderValue only to print it again costs an allocation per URL.
                result.ContentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var contentType) ? contentType.ToString() : null;
                await ReadBodyAsync(current, response, result, async, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>
    /// Sends one hop's request and returns once its response headers are in (the body is read later as
    /// a stream), with when the request that answered was sent. A request lost with its connection on a
    /// connection that had carried an earlier request (the server closed it in the meantime) is sent
    /// again, as curl and browsers do, until it went out on a fresh connection or <see cref="MaxResends"/>
    /// sends were lost so; a loss on a fresh connection is the fetch's failure.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(HttpResponseMessage Response, long Sent)> SendAsync(Uri uri, ConnectionTimings timings, ConnectionReuse reuse, bool async, CancellationToken cancellationToken)
    {
        for (int resend = 0; ; resend++)
        {
            var message = CreateRequest(uri, timings, async);
            reuse.BeginSend();
            long sent = Stopwatch.GetTimestamp();
            try
            {
                var response = async
                    ? await _client.SendAsync(message, cancellationToken).ConfigureAwait(false)
                    : _client.Send(message, cancellationToken);
                try
                {
                    ResponseFraming.Check(response);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
                return (response, sent);
            }
            catch (Exception e)
            {
                message.Dispose();
                if (!reuse.Reused || resend == MaxResends || cancellationToken.IsCancellationRequested || !ErrorClassifier.IsConnectionLost(e)) throw;
            }
        }
    }

    /// <summary>
    /// Sends of one request lost on reused connections before it counts as failed. Each lost connection is
    /// closed, so the loop ends once the host's stale idle connections are used up (a host holds about as many
    /// as it has requests in flight); this bound, and the fetch's timeout, are for a server that never stops.
    /// SocketsHttpHandler's own bound for the requests it retries (MaxConnectionFailureRetries, 3) is too few
    /// when several fetches to such a server each left a connection in the pool.
    /// </summary>
    private const int MaxResends = 16;

    /// <summary>
    /// Where a 3xx points: null when it has no Location (then it is the final response, as curl treats it),
    /// else the absolute URL, or why it cannot be followed. The handler's typed <c>Location</c> is null both
    /// when the header is absent and when it does not parse, so the raw value decides.
    /// </summary>
    private static (Uri? Uri, string? Problem)? RedirectTarget(Uri current, System.Net.Http.Headers.HttpResponseHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Location", out var values)) return null;
        string raw = values.ToString();
        if (headers.Location is not { } location || !TryResolve(current, location, out var next))
            return (null, $"redirect to a Location that is not a URL: '{raw}'");
        if (next.Scheme is not ("http" or "https"))
            return (null, $"redirect to a Location that is not http(s): '{raw}'");
        return (next, null);
    }

    private static bool TryResolve(Uri current, Uri location, out Uri next)
    {
        if (location.IsAbsoluteUri)
        {
            next = location;
            return true;
        }
        return Uri.TryCreate(current, location, out next!);
    }

    private HttpRequestMessage CreateRequest(Uri uri, ConnectionTimings timings, bool async)
    {
        var message = new TimedRequestMessage(uri, timings)
        {
            // SocketsHttpHandler has no blocking HTTP/2: the blocking path always speaks HTTP/1.1.
            Version = async ? _version : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        message.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        bool acceptEncodingGiven = false;
        foreach (var (name, value) in _options.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
            acceptEncodingGiven |= name.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase);
        }
        // Raw, not parsed: bodies are decoded by ContentDecoding, not by the handler.
        if (!acceptEncodingGiven)
            message.Headers.TryAddWithoutValidation("Accept-Encoding", ContentDecoding.AcceptEncoding);
        return message;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadBodyAsync(Uri url, HttpResponseMessage response, FetchResult result, bool async, CancellationToken cancellationToken)
    {
        // Synchronous reads do not observe the token; aborting the response is what unblocks them
        // when the deadline passes, so a body that hangs still ends as a timeout. Asynchronous reads
        // observe the token themselves, so they need no registration of their own.
        using var abortOnDeadline = async ? default : cancellationToken.UnsafeRegister(static state => ((HttpResponseMessage)state!).Dispose(), response);

        // A declared size over the limit fails before a byte of the body is read. An encoded body
        // declares its encoded size only, so the limit applies to it as it is decoded.
        string? coding = ContentDecoding.CodingOf(response.Content.Headers);
        if (coding is null && response.Content.Headers.ContentLength is long declared && declared > _options.MaxBodyBytes)
            throw new BodyTooLargeException($"body of {declared:N0} bytes is larger than the {_options.MaxBodyBytes:N0}-byte limit");

        // The handler's content already holds its stream, so asking for it does no I/O; the async
        // overload would only wrap it in a Task per response.
        var body = response.Content.ReadAsStream(cancellationToken);
        if (coding is not null)
            body = await DecoderAsync(coding, body, async, cancellationToken).ConfigureAwait(false);
        using var decoder = coding is null ? null : body;
        MemoryStream? kept = _handlers.Length > 0 ? new MemoryStream() : null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        long total = 0;
        try
        {
            while (true)
            {
                int read = async
                    ? await body.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)
                    : body.Read(buffer.AsSpan());
                if (read == 0) break;
                total += read;
                if (total > _options.MaxBodyBytes)
                    throw new BodyTooLargeException($"body is larger than the {_options.MaxBodyBytes:N0}-byte limit");
                kept?.Write(buffer, 0, read);
            }
            result.Bytes = total;
        }
        // The decoders' own verdicts on their input (GZip/Deflate/ZLibStream throw InvalidDataException,
        // BrotliStream InvalidOperationException); what the connection throws stays what it is.
        catch (Exception e) when (decoder is not null && e is InvalidDataException or InvalidOperationException)
        {
            throw new ContentDecodingException($"the body does not decode as its Content-Encoding '{coding}' says: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (kept is null) return;
        using (kept)
        {
            foreach (var handler in _handlers)
            {
                kept.Position = 0;
                var context = new ResponseContext(url, response, kept, result);
                try
                {
                    var pending = handler.HandleAsync(context, cancellationToken);
                    if (async) await pending.ConfigureAwait(false);
                    else pending.AsTask().GetAwaiter().GetResult(); // threads strategy: blocking is the model
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    result.Fail(FetchErrorKind.Handler, $"{handler.GetType().Name}: {e.Message}");
                    return;
                }
            }
        }
    }

    /// <summary>The decoder for an encoded body; deflate's first two bytes are read first, to tell zlib from raw deflate.</summary>
    private static async ValueTask<Stream> DecoderAsync(string coding, Stream body, bool async, CancellationToken cancellationToken)
    {
        if (coding != "deflate") return ContentDecoding.Decoder(coding, body, default);
        byte[] head = new byte[2];
        int length = 0;
        while (length < head.Length)
        {
            int read = async
                ? await body.ReadAsync(head.AsMemory(length), cancellationToken).ConfigureAwait(false)
                : body.Read(head.AsSpan(length));
            if (read == 0) break;
            length += read;
        }
        return ContentDecoding.Decoder(coding, new ReplayStream(head, length, body), head.AsSpan(0, length));
    }

    /// <summary>"1.1", "2"…: constant strings, not a new one per response.</summary>
    private static string VersionName(Version version) => (version.Major, version.Minor) switch
    {
        (1, 1) => "1.1",
        (2, _) => "2",
        (3, _) => "3",
        (1, 0) => "1.0",
        _ => version.ToString(),
    };

    /// <summary>Retry-After as a wait from now: delta-seconds as given, an HTTP date less the current time (never negative).</summary>
    internal static TimeSpan? RetryAfterOf(System.Net.Http.Headers.RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>One host as the crawler's politeness counts hosts (<see cref="Crawl.UrlNormalizer.HostKey"/>), so the two never disagree.</summary>
    private static bool SameHost(Uri a, Uri b) =>
        string.Equals(Crawl.UrlNormalizer.HostKey(a), Crawl.UrlNormalizer.HostKey(b), StringComparison.OrdinalIgnoreCase);

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static IEnumerable<IResponseHandler> BuiltInHandlers(FetchOptions options)
    {
        if (options.ExtractTitle || options.ExtractLinks)
            yield return new HtmlExtractor(options.ExtractTitle, options.ExtractLinks);
        if (options.SaveBodiesDirectory is { } directory)
            yield return new BodySaver(directory);
    }

    private static SocketsHttpHandler CreateHandler(FetchOptions options)
    {
        var connections = new ConnectionFactory(options);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            // Off: ContentDecoding decodes gzip, deflate and br at a fraction of the handler's per-request cost.
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = options.MaxConnectionsPerHost,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            // Re-resolve long-lived connections now and then, as a long run over many hosts needs.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = connections.ConnectAsync,
            PlaintextStreamFilter = ConnectionFactory.OnPlaintextReady,
        };
        ConfigureCertificateValidation(handler.SslOptions, options);
        return handler;
    }

    private static void ConfigureCertificateValidation(SslClientAuthenticationOptions ssl, FetchOptions options)
    {
        if (options.Insecure)
        {
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
            return;
        }
        if (options.CaCertificateFile is not { } caFile)
        {
            ssl.RemoteCertificateValidationCallback = CertificateRejection.Check;
            return;
        }

        // SslStream builds the chain once, against the extra CA alone: when the CA is what the
        // sites chain to (a test web, a corporate CA), every handshake costs one chain build instead
        // of a failing system build followed by a second one. Only a chain the extra CA does not
        // vouch for is built again against the system store.
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(CaCertificates.Load(caFile));
        ssl.CertificateChainPolicy = policy;
        ssl.RemoteCertificateValidationCallback = static (sender, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None) return true;
            // A wrong name is never rescued; a chain the extra CA does not vouch for may still be a public one.
            if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return CertificateRejection.Refuse(sender, certificate, chain, errors);
            using var system = new X509Chain();
            system.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                    system.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
            return system.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()))
                || CertificateRejection.Refuse(sender, certificate, chain, errors);
        };
    }

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose() => _client.Dispose();
}
