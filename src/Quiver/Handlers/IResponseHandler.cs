using Quiver.Fetching;

namespace Quiver.Handlers;

/// <summary>
/// User code that runs on each final response (after redirects), inside the strategy that fetched it.
/// It may read the body and write into the result being built (<see cref="FetchResult.Data"/>,
/// <see cref="FetchResult.Title"/>…). An exception from a handler becomes a <c>handler</c> error on
/// that URL's result, never a crash of the run.
/// </summary>
/// <remarks>
/// Handlers run in-process: the <c>processes</c> and <c>async-processes</c> strategies run only the
/// built-in handlers selected in <see cref="FetchOptions"/>, since code objects cannot cross into
/// worker processes.
/// </remarks>
public interface IResponseHandler
{
    ValueTask HandleAsync(ResponseContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler sees of one response.</summary>
public sealed class ResponseContext
{
    internal ResponseContext(Uri url, HttpResponseMessage response, Stream body, FetchResult result)
    {
        Url = url;
        Response = response;
        Body = body;
        Result = result;
    }

    /// <summary>The URL that produced this response.</summary>
    public Uri Url { get; }

    /// <summary>Status and headers. Its content has already been read into <see cref="Body"/>.</summary>
    public HttpResponseMessage Response { get; }

    /// <summary>The decoded body, readable from the start by each handler in turn.</summary>
    public Stream Body { get; }

    /// <summary>The result being built for this URL.</summary>
    public FetchResult Result { get; }

    /// <summary>True when the response declares an HTML body (or declares no type at all).</summary>
    /// <remarks>Read from the raw header, not parsed: a parsed header object costs an allocation per page.</remarks>
    public bool IsHtml
    {
        get
        {
            ReadOnlySpan<char> mediaType = Response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? values.ToString() : null;
            int parameters = mediaType.IndexOf(';');
            if (parameters >= 0) mediaType = mediaType[..parameters];
            mediaType = mediaType.Trim();
            return mediaType.IsEmpty
                || mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
                || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase);
        }
    }
}
