namespace Quiver.Fetching;

/// <summary>
/// Refuses a response head that SocketsHttpHandler lets through although RFC 9112 (section 6.3) says a
/// client must treat it as an unrecoverable error: Content-Length values that differ. The handler then
/// finds no length and reads the body to the close, the framing confusion behind response smuggling.
/// (A NUL in a header value it replaces with a space, as RFC 9110 allows, so that needs nothing here.)
/// </summary>
internal static class ResponseFraming
{
    /// <summary>Throws <see cref="HttpRequestException"/> (InvalidResponse, a <c>protocol</c> record) when the head is unusable.</summary>
    public static void Check(HttpResponseMessage response)
    {
        if (!response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var lengths) || lengths.Count < 2) return;
        string? first = null;
        foreach (string length in lengths)
        {
            first ??= length.Trim();
            if (!string.Equals(length.Trim(), first, StringComparison.Ordinal))
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"the response has conflicting Content-Length values: {lengths}");
        }
    }
}
