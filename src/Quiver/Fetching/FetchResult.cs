using System.Text.Json.Serialization;
using Quiver.Input;

namespace Quiver.Fetching;

/// <summary>
/// The outcome of one input line: exactly one per line, success or failure. Field names are the
/// JSON-lines contract documented in the README; null fields are omitted from the output.
/// </summary>
public sealed class FetchResult
{
    /// <summary>1-based line number in the input.</summary>
    public long Line { get; set; }

    /// <summary>The URL as requested (normalised from the input line), or the raw line when it was invalid.</summary>
    public string Url { get; set; } = "";

    /// <summary>The URL that produced the final response, after redirects.</summary>
    public string? FinalUrl { get; set; }

    /// <summary>Each redirect target in order; absent when there were none.</summary>
    public List<string>? Redirects { get; set; }

    /// <summary>A redirect to another host that this fetch did not follow (a crawl queues it for that host); absent otherwise.</summary>
    public string? RedirectTo { get; set; }

    /// <summary>HTTP version of the final response, e.g. "1.1" or "2".</summary>
    public string? HttpVersion { get; set; }

    /// <summary>Status code of the final response; absent when no response arrived.</summary>
    public int? Status { get; set; }

    public string? ContentType { get; set; }

    /// <summary>Body bytes received for the final response (after content decoding).</summary>
    public long? Bytes { get; set; }

    public FetchTimings Timings { get; set; } = new();

    /// <summary>How many times the URL was tried.</summary>
    public int Attempts { get; set; }

    /// <summary>The failure kind, or null on success (any HTTP status counts as success of the fetch).</summary>
    public FetchErrorKind? Error { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>The page title, with <c>--extract title</c>.</summary>
    public string? Title { get; set; }

    /// <summary>Absolute links found in the page, with <c>--extract links</c>.</summary>
    public List<string>? Links { get; set; }

    /// <summary>Where the body was saved, with <c>--save-bodies</c>.</summary>
    public string? BodyFile { get; set; }

    /// <summary>Links followed from a seed to reach this URL, in a crawl (seeds are 0); absent in a list fetch.</summary>
    public int? Depth { get; set; }

    /// <summary>The page whose link led the crawler here; absent for seeds and in a list fetch.</summary>
    public string? Referrer { get; set; }

    /// <summary>Free-form values set by user response handlers.</summary>
    public Dictionary<string, string>? Data { get; set; }

    /// <summary>
    /// The width (requests allowed in flight) when this fetch started, with <c>--record-concurrency</c>
    /// (async strategy only); absent otherwise, so records without it are unchanged.
    /// </summary>
    public int? Concurrency { get; set; }

    /// <summary>How long a 429 or 503 response asked the client to wait (its Retry-After), if it said.</summary>
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; set; }

    /// <summary>Message of a URL the run was cancelled while fetching it.</summary>
    internal const string CancelledMessage = "the run was cancelled";

    /// <summary>
    /// Message of a URL the run was cancelled before it was sent (no attempt made), so that the records
    /// of a stopped run tell the ones never tried from the ones cut off in flight.
    /// </summary>
    internal const string NotStartedMessage = "not started: the run was cancelled first";

    /// <summary>The record of <paramref name="request"/> before anything happened: its line, and its URL (the raw line when it is not one).</summary>
    internal static FetchResult For(UrlRequest request) => new() { Line = request.Line, Url = request.Uri?.AbsoluteUri ?? request.Text };

    /// <summary>The record of a URL that was being fetched (one attempt) when <paramref name="kind"/> cut it off.</summary>
    internal static FetchResult Unfinished(UrlRequest request, FetchErrorKind kind, string message)
    {
        var result = For(request);
        result.Attempts = 1;
        return result.Fail(kind, message);
    }

    /// <summary>The record of a URL the run was cancelled while fetching it.</summary>
    internal static FetchResult Cancelled(UrlRequest request) => Unfinished(request, FetchErrorKind.Cancelled, CancelledMessage);

    /// <summary>The record of a URL the run was cancelled before it was sent.</summary>
    internal static FetchResult NotStarted(UrlRequest request) => For(request).Fail(FetchErrorKind.Cancelled, NotStartedMessage);

    /// <summary>Records a failure.</summary>
    public FetchResult Fail(FetchErrorKind kind, string message)
    {
        Error = kind;
        ErrorMessage = message;
        return this;
    }
}

/// <summary>Where the time went, in milliseconds.</summary>
public sealed class FetchTimings
{
    /// <summary>
    /// From the start of the first attempt (name lookup and connect included) to the end of the last
    /// attempt's body (or its failure); for a retried URL this includes the waits between attempts.
    /// </summary>
    public double TotalMs { get; set; }

    /// <summary>From sending the final request (of the last attempt) to its response headers.</summary>
    public double? TtfbMs { get; set; }

    /// <summary>Name resolution, when this fetch opened a new connection and looked the name up.</summary>
    public double? DnsMs { get; set; }

    /// <summary>TCP connect, when this fetch opened a new connection.</summary>
    public double? ConnectMs { get; set; }

    /// <summary>TLS handshake, when this fetch opened a new HTTPS connection.</summary>
    public double? TlsMs { get; set; }
}
